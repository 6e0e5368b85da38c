import re, glob, subprocess
NL = {
'Mediakring':'Mediakring','Article':'Artikel','Photo':'Foto','Video':'Video','Audio':'Audio','Document':'Document','Event':'Evenement','Vacancy':'Vacature',
'You may not change these settings.':'U mag deze instellingen niet wijzigen.',
'The node URL must start with http:// or https://.':'De node-URL moet beginnen met http:// of https://.',
'Settings saved.':'Instellingen opgeslagen.',
'Connection failed: %s':'Verbinding mislukt: %s',
'Connected to %1$s (token scope: %2$s).':'Verbonden met %1$s (bereik van het token: %2$s).',
'Mediakring:':'Mediakring:',
'the last sync failed; the site keeps the posts it has.':'de laatste synchronisatie is mislukt; de site houdt de berichten die ze heeft.',
'Publish items from your Mediakring node on this site. Create an API token with scope "report" on the node (Tokens in the node admin) and paste it here.':'Publiceer items van uw Mediakring-node op deze site. Maak op de node een API-token met bereik "report" (Tokens in het beheer van de node) en plak het hier.',
'Connection':'Verbinding','Node URL':'Node-URL','API token':'API-token',
'A token is stored. Leave empty to keep it.':'Er is een token opgeslagen. Laat leeg om het te houden.',
'No token stored yet.':'Nog geen token opgeslagen.',
'Webhook secret':'Webhookgeheim',
'Subscribe %s on the node to the events item.published and item.changed, and paste the secret it shows once.':'Abonneer %s op de node op de gebeurtenissen item.published en item.changed, en plak het geheim dat de node eenmaal toont.',
'What to import':'Wat importeren','Items':'Items',
'Our own public items':'Onze eigen openbare items',
'Partner items taken into our library':'Items van partners die we in onze bibliotheek namen',
'Kinds':'Soorten','None ticked: all kinds.':'Niets aangevinkt: alle soorten.',
'Only with tag':'Alleen met tag','Where it goes':'Waar het terechtkomt','Post type':'Berichttype',
'Category':'Categorie','(default)':'(standaard)','Author':'Auteur','(current user)':'(huidige gebruiker)',
'Import as':'Importeren als','Draft (an editor publishes)':'Concept (een redacteur publiceert)',
'Publish directly':'Direct publiceren','Save settings':'Instellingen opslaan','Test connection':'Verbinding testen',
'Sync now':'Nu synchroniseren','Last successful sync: %s':'Laatste geslaagde synchronisatie: %s',
'Not synced yet.':'Nog niet gesynchroniseerd.',
'No valid node URL is set.':'Er is geen geldige node-URL ingesteld.',
'No API token is set.':'Er is geen API-token ingesteld.',
'The node cannot be reached: %s':'De node is niet bereikbaar: %s',
'The node does not know this API token (it is wrong or revoked).':'De node kent dit API-token niet (het is onjuist of ingetrokken).',
'This API token may not do this; create a token with scope "report".':'Dit API-token mag dit niet; maak een token met bereik "report".',
'The node refused the request: %s':'De node weigerde het verzoek: %s',
'A media file could not be downloaded from the node.':'Een mediabestand kon niet van de node worden gedownload.',
'Mediakring terms':'Mediakring-voorwaarden',
'A media file did not match its digest and was not kept.':'Een mediabestand klopte niet met zijn controlegetal en is niet bewaard.',
'Source: %s':'Bron: %s','Credit':'Naamsvermelding','Licence':'Licentie','Usage terms':'Gebruiksvoorwaarden',
'Item %1$s could not be imported: %2$s':'Item %1$s kon niet worden geïmporteerd: %2$s',
'Every five minutes':'Elke vijf minuten',
}
PLURAL = {('%d change applied.','%d changes applied.'):('%d wijziging verwerkt.','%d wijzigingen verwerkt.')}
ids=[]
for f in sorted(glob.glob('**/*.php',recursive=True)):
    s=open(f).read()
    for m in re.finditer(r"(?:__|esc_html__|esc_html_e|esc_attr__|_e)\(\s*'((?:[^'\\]|\\.)*)'\s*,\s*'mediakring'",s):
        if m.group(1) not in ids: ids.append(m.group(1))
missing=[i for i in ids if i not in NL]
assert not missing, missing
def q(t): return '"'+t.replace('\\','\\\\').replace('"','\\"')+'"'
out=['# Dutch translation of the Mediakring WordPress plugin.','# This file is distributed under the same licence as the plugin (GPL-2.0-or-later).','msgid ""','msgstr ""','"Project-Id-Version: Mediakring 1.0.0\\n"','"Language: nl_NL\\n"','"MIME-Version: 1.0\\n"','"Content-Type: text/plain; charset=UTF-8\\n"','"Content-Transfer-Encoding: 8bit\\n"','"Plural-Forms: nplurals=2; plural=(n != 1);\\n"','"X-Domain: mediakring\\n"','']
for i in ids:
    out += [f'msgid {q(i)}', f'msgstr {q(NL[i])}', '']
for (a,b),(c,d) in PLURAL.items():
    out += [f'msgid {q(a)}', f'msgid_plural {q(b)}', f'msgstr[0] {q(c)}', f'msgstr[1] {q(d)}', '']
open('languages/mediakring-nl_NL.po','w').write('\n'.join(out))
subprocess.run(['msgfmt','--check','-o','languages/mediakring-nl_NL.mo','languages/mediakring-nl_NL.po'],check=True)
print(len(ids),'strings')
