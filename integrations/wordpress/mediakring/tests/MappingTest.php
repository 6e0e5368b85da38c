<?php
/**
 * Item JSON from the node's change feed -> post fields (pure functions).
 *
 * @package Mediakring
 */

use PHPUnit\Framework\TestCase;

final class MappingTest extends TestCase {

	private function item( array $extra = array() ): array {
		return array_merge(
			array(
				'id'            => 'i1',
				'uri'           => 'https://node.example/items/i1',
				'kind'          => 'photo',
				'title'         => 'Markt op het Plein',
				'summary'       => 'Drukte op de markt',
				'body_html'     => '<p>Tekst</p>',
				'tags'          => array( 'markt', 'Centrum' ),
				'credit'        => 'Foto: Anna de Vries',
				'licence'       => 'CC-BY-4.0',
				'usage_terms'   => 'Alleen met naamsvermelding',
				'embargo_until' => null,
				'expires_at'    => null,
				'version'       => 3,
				'media'         => array(),
			),
			$extra
		);
	}

	private function change( array $item = array(), array $extra = array() ): array {
		return array_merge(
			array(
				'seq'       => 7,
				'id'        => 'i1',
				'uri'       => 'https://node.example/items/i1',
				'state'     => 'public',
				'item'      => $this->item( $item ),
				'embargoed' => false,
				'expired'   => false,
			),
			$extra
		);
	}

	private function settings( array $extra = array() ): array {
		return array_merge( mediakring_default_settings(), array( 'status' => 'publish' ), $extra );
	}

	public function test_wanted_follows_state_kind_and_tag(): void {
		$this->assertTrue( mediakring_wanted( $this->change(), $this->settings() ) );
		$this->assertFalse( mediakring_wanted( $this->change( array(), array( 'state' => 'deleted', 'item' => null ) ), $this->settings() ) );
		$this->assertFalse( mediakring_wanted( $this->change( array(), array( 'state' => 'private' ) ), $this->settings() ) );
		$this->assertFalse( mediakring_wanted( $this->change(), $this->settings( array( 'import_own' => 0 ) ) ) );
		$this->assertFalse( mediakring_wanted( $this->change( array(), array( 'state' => 'copy' ) ), $this->settings( array( 'import_copies' => 0 ) ) ) );
		$this->assertFalse( mediakring_wanted( $this->change(), $this->settings( array( 'kinds' => array( 'video' ) ) ) ) );
		$this->assertTrue( mediakring_wanted( $this->change(), $this->settings( array( 'tag' => '#centrum' ) ) ) );
		$this->assertFalse( mediakring_wanted( $this->change(), $this->settings( array( 'tag' => 'sport' ) ) ) );
		$this->assertFalse( mediakring_wanted( $this->change( array(), array( 'expired' => true ) ), $this->settings() ) );
	}

	public function test_an_embargo_makes_a_scheduled_post_at_the_embargo_time(): void {
		$now    = strtotime( '2026-12-01T10:00:00Z' );
		$change = $this->change( array( 'embargo_until' => '2026-12-03T06:30:00.000000Z' ), array( 'embargoed' => true ) );
		$status = mediakring_post_status( $change, $this->settings(), $now );
		$this->assertSame( array( 'status' => 'future', 'date_gmt' => '2026-12-03 06:30:00' ), $status );
		$fields = mediakring_post_fields( $change, $this->settings(), $now );
		$this->assertSame( 'future', $fields['post_status'] );
		$this->assertSame( '2026-12-03 06:30:00', $fields['post_date_gmt'] );
		// Without embargo: the configured status.
		$this->assertSame( 'draft', mediakring_post_status( $this->change(), $this->settings( array( 'status' => 'draft' ) ), $now )['status'] );
		$this->assertSame( 'publish', mediakring_post_status( $this->change(), $this->settings(), $now )['status'] );
	}

	public function test_fields_and_meta_carry_the_terms(): void {
		$change = $this->change( array(), array( 'state' => 'copy', 'origin' => array( 'name' => 'Stadsomroep Den Haag', 'actor' => 'x' ) ) );
		$fields = mediakring_post_fields( $change, $this->settings(), time() );
		$this->assertSame( 'Markt op het Plein', $fields['post_title'] );
		$this->assertSame( 'Drukte op de markt', $fields['post_excerpt'] );
		$this->assertSame( array( 'markt', 'Centrum' ), $fields['tags_input'] );
		$meta = $fields['meta_input'];
		$this->assertSame( 'https://node.example/items/i1', $meta['_mediakring_uri'] );
		$this->assertSame( 'Foto: Anna de Vries', $meta['mediakring_credit'] );
		$this->assertSame( 'CC-BY-4.0', $meta['mediakring_licence'] );
		$this->assertSame( 'Alleen met naamsvermelding', $meta['mediakring_usage'] );
		$this->assertSame( 'Stadsomroep Den Haag', $meta['mediakring_origin'] );
		$this->assertSame( 1, $meta['mediakring_is_copy'] );
		$labels = array( 'credit' => 'Naamsvermelding', 'licence' => 'Licentie', 'usage' => 'Gebruiksvoorwaarden', 'source' => 'Bron: %s' );
		$html   = mediakring_terms_html( $meta, $labels );
		$this->assertStringContainsString( '<dt>Licentie</dt><dd>CC-BY-4.0</dd>', $html );
		$this->assertStringContainsString( 'Bron: Stadsomroep Den Haag', $html );
	}

	public function test_media_become_gallery_players_with_credit_and_licence(): void {
		$media = array(
			array( 'sha256' => 'a', 'media_type' => 'image/jpeg', 'alt' => 'Kraam' ),
			array( 'sha256' => 'b', 'media_type' => 'image/png', 'alt' => '' ),
			array( 'sha256' => 'c', 'media_type' => 'video/mp4', 'alt' => 'Rondgang' ),
			array( 'sha256' => 'd', 'media_type' => 'audio/mpeg', 'alt' => '' ),
		);
		$atts  = array(
			'a' => array( 'id' => 11, 'url' => 'http://site/a.jpg', 'alt' => 'Kraam' ),
			'b' => array( 'id' => 12, 'url' => 'http://site/b.png', 'alt' => '' ),
			'c' => array( 'id' => 13, 'url' => 'http://site/c.mp4' ),
			'd' => array( 'id' => 14, 'url' => 'http://site/d.mp3' ),
		);
		$html  = mediakring_post_content( $this->item( array( 'media' => $media ) ), $atts, 'Stadsomroep', array( 'source' => 'Bron: %s' ) );
		$this->assertStringContainsString( '[gallery ids="11,12" link="file"]', $html );
		$this->assertStringContainsString( '[video src="http://site/c.mp4"][/video]', $html );
		$this->assertStringContainsString( '[audio src="http://site/d.mp3"][/audio]', $html );
		$this->assertSame( 3, substr_count( $html, 'Foto: Anna de Vries · CC-BY-4.0 · Bron: Stadsomroep' ) );
		$this->assertStringContainsString( 'Rondgang — ', $html );
		// One photo: a captioned image with its alt text.
		$one = mediakring_post_content( $this->item( array( 'media' => array( $media[0] ) ) ), $atts );
		$this->assertStringContainsString( '[caption id="attachment_11"', $one );
		$this->assertStringContainsString( 'alt="Kraam"', $one );
	}

	public function test_text_is_escaped_and_only_http_urls_pass(): void {
		$item = $this->item(
			array(
				'credit' => '<script>x</script>',
				'media'  => array( array( 'sha256' => 'a', 'media_type' => 'video/mp4' ) ),
			)
		);
		$html = mediakring_post_content( $item, array( 'a' => array( 'id' => 1, 'url' => 'javascript:alert(1)' ) ) );
		$this->assertStringNotContainsString( '<script>', $html );
		$this->assertStringContainsString( '&lt;script&gt;', $html );
		$this->assertStringContainsString( '[video src=""]', $html );
		$this->assertSame( '', mediakring_url( 'javascript:alert(1)' ) );
		$this->assertSame( 'https://x/a%22b', mediakring_url( 'https://x/a"b' ) );
	}

	public function test_webhook_signature_is_checked_like_the_node_signs(): void {
		$now  = strtotime( '2026-12-01T10:00:00Z' );
		$body = '{"id":"d1","event":"item.changed","created_at":"2026-12-01T09:59:00.000000Z","data":{}}';
		$sig  = 'sha256=' . hash_hmac( 'sha256', $body, 'geheim' );
		$this->assertSame( '', mediakring_verify_webhook( 'geheim', $body, $sig, $now ) );
		$this->assertSame( 'bad-signature', mediakring_verify_webhook( 'ander', $body, $sig, $now ) );
		$this->assertSame( 'bad-signature', mediakring_verify_webhook( 'geheim', $body . ' ', $sig, $now ) );
		$this->assertSame( 'no-signature', mediakring_verify_webhook( 'geheim', $body, null, $now ) );
		$this->assertSame( 'no-secret', mediakring_verify_webhook( '', $body, $sig, $now ) );
		$this->assertSame( 'too-old', mediakring_verify_webhook( 'geheim', $body, $sig, $now + 3 * 86400 ) );
		$bad = '[]';
		$this->assertSame( 'bad-body', mediakring_verify_webhook( 'k', $bad, 'sha256=' . hash_hmac( 'sha256', $bad, 'k' ), $now ) );
	}
}
