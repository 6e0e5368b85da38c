<?php
/**
 * Terms travel: a template tag, a shortcode and a (server-rendered) block that show
 * credit, licence, usage terms and origin; imported posts show them under the content.
 *
 * @package Mediakring
 * @license GPL-2.0-or-later
 */

defined( 'ABSPATH' ) || exit;

/**
 * The terms box of a post as HTML ('' for posts not from the node).
 */
function mediakring_get_terms( $post_id = null ) {
	$post_id = $post_id ? $post_id : get_the_ID();
	if ( ! $post_id || ! get_post_meta( $post_id, '_mediakring_uri', true ) ) {
		return '';
	}
	$meta = array();
	foreach ( array( 'mediakring_credit', 'mediakring_licence', 'mediakring_usage', 'mediakring_origin' ) as $key ) {
		$meta[ $key ] = get_post_meta( $post_id, $key, true );
	}
	return mediakring_terms_html( $meta, mediakring_labels() );
}

/**
 * Template tag for themes: echo the terms box.
 */
function mediakring_the_terms( $post_id = null ) {
	echo wp_kses_post( mediakring_get_terms( $post_id ) );
}

add_shortcode(
	'mediakring_terms',
	function () {
		return mediakring_get_terms();
	}
);

add_action(
	'init',
	function () {
		register_block_type(
			'mediakring/terms',
			array(
				'api_version'     => 2,
				'title'           => __( 'Mediakring terms', 'mediakring' ),
				'category'        => 'text',
				'render_callback' => function () {
					return mediakring_get_terms();
				},
			)
		);
		foreach ( array( 'mediakring_credit', 'mediakring_licence', 'mediakring_usage', 'mediakring_origin' ) as $key ) {
			register_post_meta(
				'',
				$key,
				array(
					'type'         => 'string',
					'single'       => true,
					'show_in_rest' => true,
				)
			);
		}
	}
);

// Imported posts show their terms under the content unless the theme placed them itself.
add_filter(
	'the_content',
	function ( $content ) {
		if ( false !== strpos( $content, 'mediakring-terms' ) || has_shortcode( $content, 'mediakring_terms' ) ) {
			return $content;
		}
		return $content . mediakring_get_terms();
	},
	20
);
