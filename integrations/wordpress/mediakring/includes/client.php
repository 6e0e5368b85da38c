<?php
/**
 * The node's HTTP API, through the WordPress HTTP API. Every failure becomes a WP_Error
 * with a translated reason; nothing here throws.
 *
 * @package Mediakring
 * @license GPL-2.0-or-later
 */

defined( 'ABSPATH' ) || exit;

/**
 * One request to the node; the decoded JSON body or a WP_Error with a translated reason.
 */
function mediakring_request( $method, $path, $body = null, $settings = null ) {
	$settings = $settings ? $settings : mediakring_settings();
	$base     = untrailingslashit( (string) $settings['node_url'] );
	if ( '' === $base || ! preg_match( '#^https?://[^/\s]+#i', $base ) ) {
		return new WP_Error( 'mediakring_no_url', __( 'No valid node URL is set.', 'mediakring' ) );
	}
	if ( '' === (string) $settings['token'] ) {
		return new WP_Error( 'mediakring_no_token', __( 'No API token is set.', 'mediakring' ) );
	}
	$url  = 0 === strpos( $path, 'http' ) ? $path : $base . $path;
	$args = array(
		'method'  => $method,
		'timeout' => 20,
		'headers' => array(
			'Authorization' => 'Bearer ' . $settings['token'],
			'Accept'        => 'application/json',
		),
	);
	if ( null !== $body ) {
		$args['headers']['Content-Type'] = 'application/json';
		$args['body']                    = wp_json_encode( $body );
	}
	$response = wp_remote_request( $url, $args );
	if ( is_wp_error( $response ) ) {
		/* translators: %s: the network error */
		return new WP_Error( 'mediakring_unreachable', sprintf( __( 'The node cannot be reached: %s', 'mediakring' ), $response->get_error_message() ) );
	}
	$code = (int) wp_remote_retrieve_response_code( $response );
	$data = json_decode( wp_remote_retrieve_body( $response ), true );
	if ( 401 === $code ) {
		return new WP_Error( 'mediakring_bad_token', __( 'The node does not know this API token (it is wrong or revoked).', 'mediakring' ) );
	}
	if ( 403 === $code ) {
		return new WP_Error( 'mediakring_scope', __( 'This API token may not do this; create a token with scope "report".', 'mediakring' ) );
	}
	if ( $code < 200 || $code >= 300 || ! is_array( $data ) ) {
		$detail = is_array( $data ) && isset( $data['detail'] ) ? $data['detail'] : (string) $code;
		/* translators: %s: the node's reason */
		return new WP_Error( 'mediakring_refused', sprintf( __( 'The node refused the request: %s', 'mediakring' ), $detail ) );
	}
	return $data;
}

/**
 * Download a media file of the node into a temporary file; its path or a WP_Error.
 */
function mediakring_download( $media_id, $settings ) {
	$base = untrailingslashit( (string) $settings['node_url'] );
	$tmp  = wp_tempnam( 'mediakring-' . $media_id );
	$resp = wp_remote_get(
		$base . '/api/v1/media/' . rawurlencode( $media_id ),
		array(
			'timeout'  => 120,
			'stream'   => true,
			'filename' => $tmp,
			'headers'  => array( 'Authorization' => 'Bearer ' . $settings['token'] ),
		)
	);
	if ( is_wp_error( $resp ) || 200 !== (int) wp_remote_retrieve_response_code( $resp ) ) {
		wp_delete_file( $tmp );
		return new WP_Error( 'mediakring_media', __( 'A media file could not be downloaded from the node.', 'mediakring' ) );
	}
	return $tmp;
}
