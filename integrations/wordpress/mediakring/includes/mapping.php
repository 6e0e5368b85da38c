<?php
/**
 * Pure mapping: a change from the node's change feed -> WordPress post fields.
 *
 * No WordPress calls here (only plain PHP), so PHPUnit tests these functions without
 * a WordPress install. Escaping of HTML happens here for what goes into post content.
 *
 * @package Mediakring
 * @license GPL-2.0-or-later
 */

if ( ! defined( 'MEDIAKRING_MAPPING' ) ) {
	define( 'MEDIAKRING_MAPPING', 1 );
}

/**
 * Escape text for HTML (the same as esc_html for our purposes, without WordPress).
 */
function mediakring_h( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8' );
}

/**
 * Default settings: every key the plugin knows.
 */
function mediakring_default_settings() {
	return array(
		'node_url'       => '',
		'token'          => '',
		'webhook_secret' => '',
		'import_own'     => 1,
		'import_copies'  => 1,
		'kinds'          => array(),
		'tag'            => '',
		'post_type'      => 'post',
		'category'       => 0,
		'author'         => 0,
		'status'         => 'draft',
	);
}

/**
 * Parse an ISO 8601 instant from the node into a Unix time; null when absent or unreadable.
 */
function mediakring_time( $value ) {
	if ( ! is_string( $value ) || '' === $value ) {
		return null;
	}
	$ts = strtotime( $value );
	return false === $ts ? null : $ts;
}

/**
 * Should this change be on the site at all? Returns true or false.
 *
 * Deleted and private items are never wanted (an existing post for them is trashed).
 */
function mediakring_wanted( array $change, array $settings ) {
	$state = isset( $change['state'] ) ? $change['state'] : '';
	if ( 'public' === $state && empty( $settings['import_own'] ) ) {
		return false;
	}
	if ( 'copy' === $state && empty( $settings['import_copies'] ) ) {
		return false;
	}
	if ( ! in_array( $state, array( 'public', 'copy' ), true ) || empty( $change['item'] ) ) {
		return false;
	}
	$item = $change['item'];
	if ( ! empty( $settings['kinds'] ) && ! in_array( $item['kind'], (array) $settings['kinds'], true ) ) {
		return false;
	}
	$tag = ltrim( trim( (string) $settings['tag'] ), '#' );
	if ( '' !== $tag ) {
		$tags = array_map( 'mb_strtolower', (array) $item['tags'] );
		if ( ! in_array( mb_strtolower( $tag ), $tags, true ) ) {
			return false;
		}
	}
	return ! empty( $change['expired'] ) ? false : true;
}

/**
 * The post status and date for a wanted item at time $now.
 *
 * An embargo makes a scheduled post ('future') for the embargo time; otherwise the
 * configured status ('draft' or 'publish').
 *
 * @return array{status: string, date_gmt: string|null}
 */
function mediakring_post_status( array $change, array $settings, $now ) {
	$item    = $change['item'];
	$embargo = mediakring_time( isset( $item['embargo_until'] ) ? $item['embargo_until'] : null );
	$status  = 'publish' === $settings['status'] ? 'publish' : 'draft';
	if ( ! empty( $change['embargoed'] ) && null !== $embargo && $embargo > $now ) {
		return array(
			'status'   => 'future',
			'date_gmt' => gmdate( 'Y-m-d H:i:s', $embargo ),
		);
	}
	return array(
		'status'   => $status,
		'date_gmt' => null,
	);
}

/**
 * The media kind of a media entry: image, video, audio or file.
 */
function mediakring_media_kind( array $media ) {
	$type = isset( $media['media_type'] ) ? (string) $media['media_type'] : '';
	foreach ( array( 'image', 'video', 'audio' ) as $kind ) {
		if ( 0 === strpos( $type, $kind . '/' ) ) {
			return $kind;
		}
	}
	return 'file';
}

/**
 * The credit and licence line shown with every image, video and audio file.
 */
function mediakring_credit_line( array $item, $origin_name = '' ) {
	$parts = array();
	if ( '' !== (string) $item['credit'] ) {
		$parts[] = (string) $item['credit'];
	}
	if ( '' !== (string) $item['licence'] ) {
		$parts[] = (string) $item['licence'];
	}
	if ( '' !== (string) $origin_name ) {
		$parts[] = $origin_name;
	}
	return implode( ' · ', $parts );
}

/**
 * The post content: the item's body, then its media.
 *
 * $attachments maps a media sha256 to array('id' => int, 'url' => string) of the
 * attachment already in the media library. Several photos become one gallery; video
 * and audio use WordPress's own [video] and [audio] players; each medium carries a
 * caption with alt/caption, credit and licence. $labels holds the translated
 * 'source' label ("Source: %s").
 */
function mediakring_post_content( array $item, array $attachments, $origin_name = '', array $labels = array() ) {
	$source  = isset( $labels['source'] ) ? $labels['source'] : 'Source: %s';
	$origin  = '' !== (string) $origin_name ? sprintf( $source, $origin_name ) : '';
	$credit  = mediakring_h( mediakring_credit_line( $item, $origin ) );
	$images  = array();
	$players = array();
	foreach ( (array) $item['media'] as $media ) {
		$sha = isset( $media['sha256'] ) ? $media['sha256'] : '';
		if ( ! isset( $attachments[ $sha ] ) ) {
			continue;
		}
		$att  = $attachments[ $sha ];
		$kind = mediakring_media_kind( $media );
		if ( 'image' === $kind ) {
			$images[] = $att;
		} elseif ( 'video' === $kind || 'audio' === $kind ) {
			$src       = mediakring_url( $att['url'] );
			$caption   = trim( (string) ( isset( $media['alt'] ) ? $media['alt'] : '' ) );
			$players[] = '<figure class="mediakring-media mediakring-' . $kind . '">'
				. '[' . $kind . ' src="' . $src . '"][/' . $kind . ']'
				. '<figcaption>' . ( '' !== $caption ? mediakring_h( $caption ) . ' — ' : '' )
				. '<span class="mediakring-credit">' . $credit . '</span></figcaption></figure>';
		} else {
			$players[] = '<p class="mediakring-file"><a href="' . mediakring_url( $att['url'] ) . '">'
				. mediakring_h( basename( (string) $att['url'] ) ) . '</a> <span class="mediakring-credit">'
				. $credit . '</span></p>';
		}
	}
	$html = (string) $item['body_html'];
	if ( '' === trim( strip_tags( $html ) ) && '' !== (string) $item['summary'] ) {
		$html = '<p>' . mediakring_h( $item['summary'] ) . '</p>';
	}
	if ( count( $images ) > 1 ) {
		$ids   = implode( ',', array_map( 'intval', array_column( $images, 'id' ) ) );
		$html .= "\n" . '<figure class="mediakring-media mediakring-gallery">[gallery ids="' . $ids . '" link="file"]'
			. '<figcaption><span class="mediakring-credit">' . $credit . '</span></figcaption></figure>';
	} elseif ( 1 === count( $images ) ) {
		$att   = $images[0];
		$html .= "\n" . '[caption id="attachment_' . intval( $att['id'] ) . '" align="alignnone"]'
			. '<img class="wp-image-' . intval( $att['id'] ) . '" src="' . mediakring_url( $att['url'] ) . '" alt="'
			. mediakring_h( isset( $att['alt'] ) ? $att['alt'] : '' ) . '" /> '
			. '<span class="mediakring-credit">' . $credit . '</span>[/caption]';
	}
	foreach ( $players as $player ) {
		$html .= "\n" . $player;
	}
	return $html;
}

/**
 * A URL made safe for an attribute without WordPress: only http(s), quotes escaped.
 */
function mediakring_url( $url ) {
	$url = (string) $url;
	if ( ! preg_match( '#^https?://#i', $url ) ) {
		return '';
	}
	return str_replace( array( '"', "'", '<', '>', ' ' ), array( '%22', '%27', '%3C', '%3E', '%20' ), $url );
}

/**
 * The post meta that travels with the item: terms, origin, the node's identity of it.
 */
function mediakring_post_meta( array $change ) {
	$item   = $change['item'];
	$origin = isset( $change['origin'] ) ? $change['origin'] : array();
	return array(
		'_mediakring_uri'      => $change['uri'],
		'_mediakring_id'       => $change['id'],
		'_mediakring_version'  => isset( $item['version'] ) ? (int) $item['version'] : 0,
		'_mediakring_kind'     => $item['kind'],
		'mediakring_credit'    => (string) $item['credit'],
		'mediakring_licence'   => (string) $item['licence'],
		'mediakring_usage'     => (string) $item['usage_terms'],
		'mediakring_origin'    => isset( $origin['name'] ) ? (string) $origin['name'] : '',
		'mediakring_expires'   => isset( $item['expires_at'] ) && $item['expires_at'] ? (string) $item['expires_at'] : '',
		'mediakring_is_copy'   => 'copy' === $change['state'] ? 1 : 0,
	);
}

/**
 * The wp_insert_post() fields (without media, ID, author, category: the caller adds them).
 */
function mediakring_post_fields( array $change, array $settings, $now, array $attachments = array(), array $labels = array() ) {
	$item   = $change['item'];
	$status = mediakring_post_status( $change, $settings, $now );
	$origin = isset( $change['origin']['name'] ) ? $change['origin']['name'] : '';
	$fields = array(
		'post_title'   => (string) $item['title'],
		'post_excerpt' => (string) $item['summary'],
		'post_content' => mediakring_post_content( $item, $attachments, $origin, $labels ),
		'post_status'  => $status['status'],
		'post_type'    => $settings['post_type'] ? $settings['post_type'] : 'post',
		'tags_input'   => array_values( array_map( 'strval', (array) $item['tags'] ) ),
		'meta_input'   => mediakring_post_meta( $change ),
	);
	if ( null !== $status['date_gmt'] ) {
		$fields['post_date_gmt'] = $status['date_gmt'];
		$fields['edit_date']     = true;
	}
	return $fields;
}

/**
 * The terms box (credit, licence, usage terms, origin) as HTML, from post meta values.
 *
 * $labels: translated 'credit', 'licence', 'usage', 'source' (with %s).
 */
function mediakring_terms_html( array $meta, array $labels ) {
	$rows = array();
	foreach ( array( 'credit' => 'mediakring_credit', 'licence' => 'mediakring_licence', 'usage' => 'mediakring_usage' ) as $label => $key ) {
		if ( isset( $meta[ $key ] ) && '' !== (string) $meta[ $key ] ) {
			$rows[] = '<dt>' . mediakring_h( $labels[ $label ] ) . '</dt><dd>' . mediakring_h( $meta[ $key ] ) . '</dd>';
		}
	}
	$html = '';
	if ( $rows ) {
		$html .= '<dl class="mediakring-terms-list">' . implode( '', $rows ) . '</dl>';
	}
	if ( ! empty( $meta['mediakring_origin'] ) ) {
		$html .= '<p class="mediakring-origin">' . mediakring_h( sprintf( $labels['source'], $meta['mediakring_origin'] ) ) . '</p>';
	}
	return '' === $html ? '' : '<div class="mediakring-terms">' . $html . '</div>';
}

/**
 * Verify a webhook delivery exactly as the node signs it: HMAC-SHA256 of the raw body with
 * the secret, header "sha256=<hex>", compared in constant time; and not older than $max_age.
 *
 * @return string '' when valid, else a reason code: 'no-secret', 'no-signature', 'bad-signature', 'bad-body', 'too-old'.
 */
function mediakring_verify_webhook( $secret, $raw_body, $signature_header, $now, $max_age = 86400 ) {
	if ( '' === (string) $secret ) {
		return 'no-secret';
	}
	if ( ! is_string( $signature_header ) || 0 !== strpos( $signature_header, 'sha256=' ) ) {
		return 'no-signature';
	}
	$expected = 'sha256=' . hash_hmac( 'sha256', (string) $raw_body, (string) $secret );
	if ( ! hash_equals( $expected, $signature_header ) ) {
		return 'bad-signature';
	}
	$body = json_decode( (string) $raw_body, true );
	if ( ! is_array( $body ) || empty( $body['id'] ) ) {
		return 'bad-body';
	}
	$created = mediakring_time( isset( $body['created_at'] ) ? $body['created_at'] : null );
	if ( null === $created || $created < $now - $max_age ) {
		return 'too-old';
	}
	return '';
}
