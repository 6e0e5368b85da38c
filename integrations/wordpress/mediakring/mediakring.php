<?php
/**
 * Plugin Name:       Mediakring
 * Plugin URI:        https://mediakring.nl/
 * Description:       Publishes items from a Mediakring node on this site (incremental sync, webhook, media, credit and licence) and reports publications back to the node.
 * Version:           1.0.0
 * Requires at least: 6.1
 * Requires PHP:      8.2
 * Author:            Mediakring
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       mediakring
 * Domain Path:       /languages
 *
 * @package Mediakring
 */

defined( 'ABSPATH' ) || exit;

define( 'MEDIAKRING_DIR', __DIR__ );

require_once __DIR__ . '/includes/mapping.php';
require_once __DIR__ . '/includes/client.php';
require_once __DIR__ . '/includes/sync.php';
require_once __DIR__ . '/includes/admin.php';
require_once __DIR__ . '/includes/render.php';

/**
 * The plugin's settings, with defaults for what is not stored.
 */
function mediakring_settings() {
	$stored = get_option( 'mediakring_settings', array() );
	return array_merge( mediakring_default_settings(), is_array( $stored ) ? $stored : array() );
}

add_action(
	'plugins_loaded',
	function () {
		load_plugin_textdomain( 'mediakring', false, dirname( plugin_basename( __FILE__ ) ) . '/languages' );
	}
);

// WP-Cron: an incremental sync every five minutes.
add_filter(
	'cron_schedules',
	function ( $schedules ) {
		$schedules['mediakring_five_minutes'] = array(
			'interval' => 300,
			'display'  => __( 'Every five minutes', 'mediakring' ),
		);
		return $schedules;
	}
);
add_action( 'mediakring_sync', 'mediakring_sync' );
add_action( 'mediakring_expire', 'mediakring_expire' );
add_action( 'transition_post_status', 'mediakring_report_publication', 10, 3 );

register_activation_hook(
	__FILE__,
	function () {
		if ( ! wp_next_scheduled( 'mediakring_sync' ) ) {
			wp_schedule_event( time() + 60, 'mediakring_five_minutes', 'mediakring_sync' );
		}
	}
);
register_deactivation_hook(
	__FILE__,
	function () {
		wp_clear_scheduled_hook( 'mediakring_sync' );
	}
);

// oEmbed: item URLs of the configured node embed its player.
add_action(
	'init',
	function () {
		$url = untrailingslashit( (string) mediakring_settings()['node_url'] );
		if ( '' !== $url && preg_match( '#^https?://#i', $url ) ) {
			wp_oembed_add_provider( $url . '/items/*', $url . '/oembed', false );
		}
	}
);
// The node may run on a private address (an intranet); oEmbed discovery is not used, only this provider.
add_filter(
	'http_request_host_is_external',
	function ( $external, $host ) {
		$node = wp_parse_url( (string) mediakring_settings()['node_url'], PHP_URL_HOST );
		return $external || ( $node && strtolower( $host ) === strtolower( $node ) );
	},
	10,
	2
);
// ... and may listen on a port other than 80, 443 or 8080.
add_filter(
	'http_allowed_safe_ports',
	function ( $ports, $host ) {
		$node = wp_parse_url( (string) mediakring_settings()['node_url'] );
		if ( ! empty( $node['host'] ) && ! empty( $node['port'] ) && strtolower( $host ) === strtolower( $node['host'] ) ) {
			$ports[] = (int) $node['port'];
		}
		return $ports;
	},
	10,
	2
);

// The webhook receiver: POST /wp-json/mediakring/v1/webhook.
add_action(
	'rest_api_init',
	function () {
		register_rest_route(
			'mediakring/v1',
			'/webhook',
			array(
				'methods'             => 'POST',
				'callback'            => 'mediakring_webhook',
				'permission_callback' => '__return_true', // authenticated by the HMAC signature.
			)
		);
	}
);

/**
 * Verify the node's signature, de-duplicate on the delivery id, then sync at once.
 */
function mediakring_webhook( WP_REST_Request $request ) {
	$settings = mediakring_settings();
	$reason   = mediakring_verify_webhook(
		$settings['webhook_secret'],
		$request->get_body(),
		$request->get_header( 'X-Mediakring-Signature-256' ),
		time()
	);
	if ( '' !== $reason ) {
		return new WP_REST_Response( array( 'error' => $reason ), 'no-secret' === $reason ? 503 : 401 );
	}
	$body = json_decode( $request->get_body(), true );
	$seen = (array) get_option( 'mediakring_deliveries', array() );
	if ( in_array( $body['id'], $seen, true ) ) {
		return new WP_REST_Response( array( 'status' => 'duplicate' ), 200 );
	}
	$seen[] = $body['id'];
	update_option( 'mediakring_deliveries', array_slice( $seen, -200 ), false );
	$result = mediakring_sync();
	return new WP_REST_Response(
		array(
			'status'  => '' === $result['error'] ? 'synced' : 'failed',
			'applied' => $result['applied'],
		),
		200
	);
}
