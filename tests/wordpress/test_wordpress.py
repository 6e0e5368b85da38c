"""The WordPress plugin on a real WordPress (Debian's, on MariaDB, php -S) against real nodes."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

from tests.integration.network import (
    api,
    create_item_with_photo,
    make_partners,
    png_bytes,
    wait_for,
)


def _settings(node, token_scope="report", **extra) -> dict:
    return {
        "node_url": node.base_url,
        "token": node.tokens[token_scope],
        "webhook_secret": "",
        "import_own": 1,
        "import_copies": 1,
        "kinds": [],
        "tag": "",
        "post_type": "post",
        "category": 0,
        "author": 0,
        "status": "publish",
        **extra,
    }


async def configure(wordpress, settings: dict) -> None:
    """A fresh plugin state: settings, change position 0, no posts or attachments."""
    await wordpress.php(
        "foreach (get_posts(['post_type'=>'any','post_status'=>'any,trash','numberposts'=>-1,"
        "'fields'=>'ids']) as $id) { wp_delete_post($id, true); }"
        "foreach (get_posts(['post_type'=>'attachment','post_status'=>'inherit','numberposts'=>-1,"
        "'fields'=>'ids']) as $id) { wp_delete_attachment($id, true); }"
        "delete_option('mediakring_cursor'); delete_option('mediakring_last_error');"
        "delete_option('mediakring_deliveries');"
        "update_option('mediakring_settings',"
        f" json_decode({json.dumps(json.dumps(settings))}, true));"
        "return true;"
    )


async def run_cron(wordpress) -> None:
    """What WP-Cron does every five minutes: the scheduled sync, through wp-cron.php."""
    await wordpress.php(
        "wp_clear_scheduled_hook('mediakring_sync');"
        "wp_schedule_event(time() - 10, 'mediakring_five_minutes', 'mediakring_sync'); return true;"
    )
    proc = await asyncio.create_subprocess_exec(
        "php", "wp-cron.php", cwd=wordpress.web, env={"HTTP_HOST": "127.0.0.1"}
    )
    assert await asyncio.wait_for(proc.wait(), 300) == 0


POSTS = """
$out = [];
foreach (get_posts(['post_type'=>'any','post_status'=>['publish','future','draft','trash'],
        'numberposts'=>-1, 'orderby'=>'ID', 'order'=>'ASC']) as $p) {
    $meta = [];
    foreach (['_mediakring_uri','mediakring_credit','mediakring_licence','mediakring_usage',
              'mediakring_origin','_mediakring_reported','_mediakring_report_error'] as $k) {
        $meta[$k] = get_post_meta($p->ID, $k, true);
    }
    $GLOBALS['post'] = $p; setup_postdata($p);
    $out[] = ['id'=>$p->ID, 'title'=>$p->post_title, 'status'=>$p->post_status,
        'date_gmt'=>$p->post_date_gmt, 'content'=>$p->post_content, 'meta'=>$meta,
        'rendered'=>apply_filters('the_content', $p->post_content),
        'permalink'=>get_permalink($p), 'thumbnail'=>get_post_thumbnail_id($p),
        'expiry_event'=>wp_next_scheduled('mediakring_expire', [$p->ID])];
}
$atts = [];
foreach (get_posts(['post_type'=>'attachment','post_status'=>'inherit','numberposts'=>-1]) as $a) {
    $atts[] = ['id'=>$a->ID, 'sha256'=>get_post_meta($a->ID, '_mediakring_sha256', true),
        'alt'=>get_post_meta($a->ID, '_wp_attachment_image_alt', true), 'caption'=>$a->post_excerpt,
        'file'=>get_attached_file($a->ID)];
}
return ['posts'=>$out, 'attachments'=>$atts];
"""


async def state(wordpress) -> dict:
    return await wordpress.php(POSTS)


def _iso(days: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _public(http, node, item_id):
    await api(
        http,
        node,
        "PUT",
        f"/api/v1/items/{item_id}/audience",
        json={"partners": [], "mediatheek": False, "public": True},
        expect=200,
    )


async def test_cron_sync_posts_media_terms_embargo_update_and_delete(wordpress, node, http):
    await configure(wordpress, _settings(node))
    photo = await create_item_with_photo(http, node, title="Markt op het Plein")
    await api(
        http,
        node,
        "POST",
        f"/api/v1/items/{photo['id']}/media?filename=kraam.png",
        data=png_bytes("blue"),
        expect=201,
    )
    await _public(http, node, photo["id"])
    later = _iso(2)
    embargoed = await create_item_with_photo(
        http, node, title="Nieuwe burgemeester", embargo_until=later, expires_at=_iso(9)
    )
    await _public(http, node, embargoed["id"])
    draft = await create_item_with_photo(http, node, title="Nog niet openbaar")

    await run_cron(wordpress)
    got = await state(wordpress)
    posts = {p["title"]: p for p in got["posts"]}
    assert set(posts) == {"Markt op het Plein", "Nieuwe burgemeester"}, got["posts"]
    market = posts["Markt op het Plein"]
    assert market["status"] == "publish"
    assert market["meta"]["_mediakring_uri"] == photo["uri"]
    assert market["meta"]["mediakring_credit"] == "Foto: Anna de Vries"
    assert market["meta"]["mediakring_licence"] == "CC-BY-4.0"
    assert market["meta"]["mediakring_usage"] == "Alleen met naamsvermelding"
    assert "[gallery ids=" in market["content"]  # two photos: a gallery
    assert "Foto: Anna de Vries · CC-BY-4.0" in market["content"]
    assert "Naamsvermelding" in market["rendered"] and "Licentie" in market["rendered"]
    assert market["thumbnail"]
    digests = sorted(a["sha256"] for a in got["attachments"])
    # Three photos, but the embargoed item's is the same red PNG as the market's: kept once.
    assert len(digests) == len(set(digests)) == 2
    assert all("CC-BY-4.0" in a["caption"] for a in got["attachments"])
    ban = posts["Nieuwe burgemeester"]
    assert ban["status"] == "future"
    assert ban["date_gmt"] == later.replace("T", " ").rstrip("Z")
    assert ban["expiry_event"]  # unpublished at the expiry moment
    assert draft["title"] not in posts

    # Idempotent: a second run makes no second post and no second attachment.
    await run_cron(wordpress)
    again = await state(wordpress)
    assert [p["id"] for p in again["posts"]] == [p["id"] for p in got["posts"]]
    assert len(again["attachments"]) == 2

    await api(
        http, node, "PATCH", f"/api/v1/items/{photo['id']}", json={"title": "Markt verplaatst"}
    )
    await api(http, node, "DELETE", f"/api/v1/items/{embargoed['id']}", expect=204)
    await run_cron(wordpress)
    after = {p["id"]: p for p in (await state(wordpress))["posts"]}
    assert after[market["id"]]["title"] == "Markt verplaatst"
    assert after[market["id"]]["status"] == "publish"
    assert after[ban["id"]]["status"] == "trash"
    assert not after[ban["id"]]["expiry_event"]

    # Expiry: the scheduled event takes the post off the site.
    await wordpress.php(f"do_action('mediakring_expire', {market['id']}); return true;")
    assert {p["id"]: p for p in (await state(wordpress))["posts"]}[market["id"]][
        "status"
    ] == "trash"
    assert "PHP Fatal" not in wordpress.debug_log()


async def test_a_published_copy_shows_up_in_the_origins_insight(wordpress, node_factory, http):
    origin = await node_factory("Stadsomroep Den Haag")
    site_node = await node_factory("WijkTV Den Haag")
    await make_partners(http, origin, site_node)
    item = await create_item_with_photo(http, origin, title="Wijkfeest")
    await api(
        http,
        origin,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"partners": [site_node.url("/actor")], "mediatheek": False, "public": False},
        expect=200,
    )

    async def shared():
        return (await api(http, site_node, "GET", "/api/v1/shared-with-us"))["items"]

    share = (await wait_for(shared, what="the share to arrive"))[0]
    copy = await api(
        http, site_node, "POST", f"/api/v1/shared-with-us/{share['id']}/use", expect=201
    )
    await configure(wordpress, _settings(site_node))
    await run_cron(wordpress)
    posts = (await state(wordpress))["posts"]
    assert [p["title"] for p in posts] == ["Wijkfeest"]
    post = posts[0]
    assert post["meta"]["_mediakring_uri"] == copy["uri"]
    assert post["meta"]["mediakring_origin"] == "Stadsomroep Den Haag"
    assert "Bron: Stadsomroep Den Haag" in post["rendered"]
    assert post["meta"]["_mediakring_reported"] == post["permalink"], post["meta"]

    async def published():
        data = await api(http, origin, "GET", f"/api/v1/items/{item['id']}/insight")
        partner = next((p for p in data["partners"] if p["actor"] == site_node.url("/actor")), None)
        return partner and partner["published_on"]

    published_on = await wait_for(published, what="the origin's insight to show the post")
    assert published_on[0]["channel"] == post["permalink"]


async def test_the_webhook_updates_a_post_without_cron(wordpress, node, http):
    hook = await api(
        http,
        node,
        "POST",
        "/api/v1/webhooks",
        json={
            "url": wordpress.url + "/?rest_route=/mediakring/v1/webhook",
            "events": ["item.published", "item.changed"],
        },
        expect=201,
    )
    await configure(wordpress, _settings(node, webhook_secret=hook["secret"]))
    item = await create_item_with_photo(http, node, title="Brand in de haven")
    await _public(http, node, item["id"])

    async def titles():
        return [p["title"] for p in (await state(wordpress))["posts"]]

    assert await wait_for(titles, within=60, what="the webhook to create the post") == [
        "Brand in de haven"
    ]
    await api(http, node, "PATCH", f"/api/v1/items/{item['id']}", json={"title": "Brand geblust"})

    async def updated():
        got = await titles()
        return got == ["Brand geblust"] and got

    await wait_for(updated, within=60, what="the webhook to update the post")

    # A forged delivery is refused and changes nothing.
    body = json.dumps({"id": "forged", "event": "item.changed", "created_at": _iso(0)})
    async with http.post(
        wordpress.url + "/?rest_route=/mediakring/v1/webhook",
        data=body,
        headers={"X-Mediakring-Signature-256": "sha256=" + "0" * 64},
    ) as r:
        assert r.status == 401
        assert (await r.json())["error"] == "bad-signature"


async def test_bad_token_and_unreachable_node_give_translated_reasons(wordpress, node, http):
    await configure(wordpress, _settings(node))
    item = await create_item_with_photo(http, node, title="Blijft staan")
    await _public(http, node, item["id"])
    await run_cron(wordpress)
    assert [p["title"] for p in (await state(wordpress))["posts"]] == ["Blijft staan"]

    bad = await wordpress.php(
        "$s = mediakring_settings(); $s['token'] = 'mk_wrong';"
        "$r = mediakring_request('GET', '/api/v1/whoami', null, $s);"
        "return is_wp_error($r) ? $r->get_error_message() : $r;"
    )
    assert bad == "De node kent dit API-token niet (het is onjuist of ingetrokken)."
    good = await wordpress.php(
        "$r = mediakring_request('GET', '/api/v1/whoami'); return is_wp_error($r) ? "
        "$r->get_error_message() : $r['organisation'];"
    )
    assert good == "Stadsomroep Den Haag"

    # oEmbed: the node is the provider for its item URLs; pasting one embeds the node's player.
    embed = await wordpress.php(
        f"$o = _wp_oembed_get_object(); return [$o->get_provider('{item['uri']}', "
        f"['discover' => false]), wp_oembed_get('{item['uri']}')];"
    )
    assert embed[0] == node.url("/oembed")
    assert embed[1] and node.base_url in embed[1], embed

    await node.runner.cleanup()  # the node goes down
    await run_cron(wordpress)
    posts = (await state(wordpress))["posts"]
    assert [(p["title"], p["status"]) for p in posts] == [("Blijft staan", "publish")]
    notice = await wordpress.php("ob_start(); mediakring_admin_notice(); return ob_get_clean();")
    assert "De node is niet bereikbaar" in notice
    assert "de laatste synchronisatie is mislukt" in notice
    assert "PHP Fatal" not in wordpress.debug_log()
