<?php
/**
 * Sync: apply the node's change feed to posts. One post per item (post meta
 * _mediakring_uri), media sideloaded once per digest (attachment meta _mediakring_sha256).
 *
 * @package Mediakring
 * @license GPL-2.0-or-later
 */

defined( 'ABSPATH' ) || exit;

/**
 * The post that holds an item, by its URI (any status, trash included); 0 when none.
 */
function mediakring_find_post( $uri ) {
	$ids = get_posts(
		array(
			'post_type'        => 'any',
			'post_status'      => array( 'publish', 'future', 'draft', 'pending', 'private', 'trash' ),
			'meta_key'         => '_mediakring_uri',
			'meta_value'       => $uri,
			'fields'           => 'ids',
			'numberposts'      => 1,
			'suppress_filters' => true,
		)
	);
	return $ids ? (int) $ids[0] : 0;
}

/**
 * The attachment for a media digest, sideloading it once; array('id','url','alt') or WP_Error.
 */
function mediakring_attachment( array $media, array $item, $post_id, array $settings ) {
	$found = get_posts(
		array(
			'post_type'   => 'attachment',
			'post_status' => 'inherit',
			'meta_key'    => '_mediakring_sha256',
			'meta_value'  => $media['sha256'],
			'fields'      => 'ids',
			'numberposts' => 1,
		)
	);
	if ( $found ) {
		$id = (int) $found[0];
	} else {
		require_once ABSPATH . 'wp-admin/includes/file.php';
		require_once ABSPATH . 'wp-admin/includes/media.php';
		require_once ABSPATH . 'wp-admin/includes/image.php';
		$tmp = mediakring_download( $media['id'], $settings );
		if ( is_wp_error( $tmp ) ) {
			return $tmp;
		}
		if ( hash_file( 'sha256', $tmp ) !== $media['sha256'] ) {
			wp_delete_file( $tmp );
			return new WP_Error( 'mediakring_digest', __( 'A media file did not match its digest and was not kept.', 'mediakring' ) );
		}
		$ext  = wp_get_default_extension_for_mime_type( $media['media_type'] );
		$name = sanitize_file_name( ( $item['title'] ? $item['title'] : 'media' ) . '-' . substr( $media['sha256'], 0, 8 ) . ( $ext ? '.' . $ext : '' ) );
		$id   = media_handle_sideload(
			array(
				'name'     => $name,
				'tmp_name' => $tmp,
			),
			$post_id,
			null,
			array( 'post_title' => $item['title'] )
		);
		if ( is_wp_error( $id ) ) {
			wp_delete_file( $tmp );
			return $id;
		}
		update_post_meta( $id, '_mediakring_sha256', $media['sha256'] );
	}
	$alt     = isset( $media['alt'] ) ? (string) $media['alt'] : '';
	$caption = trim( ( '' !== $alt ? $alt . ' — ' : '' ) . mediakring_credit_line( $item ) );
	update_post_meta( $id, '_wp_attachment_image_alt', $alt );
	update_post_meta( $id, 'mediakring_credit', (string) $item['credit'] );
	update_post_meta( $id, 'mediakring_licence', (string) $item['licence'] );
	wp_update_post(
		array(
			'ID'           => $id,
			'post_excerpt' => $caption,
		)
	);
	return array(
		'id'  => $id,
		'url' => wp_get_attachment_url( $id ),
		'alt' => $alt,
	);
}

/**
 * The translated labels the pure mapping needs.
 */
function mediakring_labels() {
	return array(
		/* translators: %s: the name of the organisation the item comes from */
		'source'  => __( 'Source: %s', 'mediakring' ),
		'credit'  => __( 'Credit', 'mediakring' ),
		'licence' => __( 'Licence', 'mediakring' ),
		'usage'   => __( 'Usage terms', 'mediakring' ),
	);
}

/**
 * Apply one change. Returns 'created', 'updated', 'trashed', 'skipped' or a WP_Error.
 */
function mediakring_apply_change( array $change, array $settings ) {
	$post_id = mediakring_find_post( $change['uri'] );
	if ( ! mediakring_wanted( $change, $settings ) ) {
		if ( $post_id && 'trash' !== get_post_status( $post_id ) ) {
			if ( wp_next_scheduled( 'mediakring_expire', array( $post_id ) ) ) {
				wp_clear_scheduled_hook( 'mediakring_expire', array( $post_id ) );
			}
			wp_trash_post( $post_id );
			return 'trashed';
		}
		return 'skipped';
	}
	$item   = $change['item'];
	$fields = mediakring_post_fields( $change, $settings, time(), array(), mediakring_labels() );
	if ( $settings['author'] ) {
		$fields['post_author'] = (int) $settings['author'];
	}
	if ( $settings['category'] && 'post' === $fields['post_type'] ) {
		$fields['post_category'] = array( (int) $settings['category'] );
	}
	$created = false;
	if ( $post_id ) {
		$fields['ID'] = $post_id;
		if ( 'trash' === get_post_status( $post_id ) ) {
			wp_untrash_post( $post_id );
		}
		if ( 'future' !== $fields['post_status'] && 'future' === get_post_status( $post_id ) ) {
			$fields['post_date_gmt'] = current_time( 'mysql', true );
			$fields['post_date']     = current_time( 'mysql' );
			$fields['edit_date']     = true;
		}
		$old_status = get_post_status( $post_id );
		if ( 'publish' === $old_status && 'draft' === $fields['post_status'] ) {
			$fields['post_status'] = 'publish'; // an editor published it on the site: keep it.
		}
	} else {
		$created = true;
	}
	$post_id = wp_insert_post( wp_slash( $fields ), true );
	if ( is_wp_error( $post_id ) ) {
		return $post_id;
	}
	// Media, then the content that shows it.
	$attachments = array();
	foreach ( (array) $item['media'] as $media ) {
		$att = mediakring_attachment( $media, $item, $post_id, $settings );
		if ( is_wp_error( $att ) ) {
			return $att;
		}
		$attachments[ $media['sha256'] ] = $att;
	}
	if ( $attachments ) {
		$origin  = isset( $change['origin']['name'] ) ? $change['origin']['name'] : '';
		$content = mediakring_post_content( $item, $attachments, $origin, mediakring_labels() );
		wp_update_post(
			wp_slash(
				array(
					'ID'           => $post_id,
					'post_content' => $content,
				)
			)
		);
		$first = reset( $attachments );
		if ( 'image' === mediakring_media_kind( $item['media'][0] ) ) {
			set_post_thumbnail( $post_id, $first['id'] );
		}
	}
	// Expiry: unpublish at that moment (the cron option is only rewritten when it changes).
	$expires   = mediakring_time( isset( $item['expires_at'] ) ? $item['expires_at'] : null );
	$scheduled = wp_next_scheduled( 'mediakring_expire', array( $post_id ) );
	if ( $scheduled && $scheduled !== $expires ) {
		wp_clear_scheduled_hook( 'mediakring_expire', array( $post_id ) );
		$scheduled = false;
	}
	if ( null !== $expires && ! $scheduled ) {
		wp_schedule_single_event( $expires, 'mediakring_expire', array( $post_id ) );
	}
	return $created ? 'created' : 'updated';
}

/**
 * The expiry event: the post leaves the site (to the trash, where an editor can see it).
 */
function mediakring_expire( $post_id ) {
	if ( get_post( $post_id ) && 'trash' !== get_post_status( $post_id ) ) {
		wp_trash_post( $post_id );
	}
}

/**
 * Run an incremental sync: read the change feed from the stored position and apply it.
 *
 * On any failure the position is not advanced past the failed change, the site keeps
 * what it has, and the reason is stored for the admin notice.
 *
 * @return array{applied: int, last: int, error: string}
 */
function mediakring_sync( $max_pages = 1000 ) {
	global $wpdb;
	$settings = mediakring_settings();
	$since    = (int) get_option( 'mediakring_cursor', 0 );
	$applied  = 0;
	$error    = '';
	if ( get_transient( 'mediakring_sync_lock' ) ) {
		return array( 'applied' => 0, 'last' => $since, 'error' => '' );
	}
	set_transient( 'mediakring_sync_lock', 1, 300 );
	wp_defer_term_counting( true );
	try {
		for ( $page = 0; $page < $max_pages; $page++ ) {
			$data = mediakring_request( 'GET', '/api/v1/changes?limit=100&since=' . $since, null, $settings );
			if ( is_wp_error( $data ) ) {
				$error = $data->get_error_message();
				break;
			}
			// One database transaction per page: one commit (one disk flush) for up to 100
			// posts instead of one per row; what was applied before a failure is kept.
			$wpdb->query( 'START TRANSACTION' );
			foreach ( (array) $data['changes'] as $change ) {
				$result = mediakring_apply_change( $change, $settings );
				if ( is_wp_error( $result ) ) {
					/* translators: 1: item title or URI, 2: reason */
					$error = sprintf( __( 'Item %1$s could not be imported: %2$s', 'mediakring' ), $change['uri'], $result->get_error_message() );
					update_option( 'mediakring_cursor', $since, false );
					$wpdb->query( 'COMMIT' );
					break 2;
				}
				$since = (int) $change['seq'];
				++$applied;
			}
			$since = max( $since, (int) $data['last'] );
			update_option( 'mediakring_cursor', $since, false );
			$wpdb->query( 'COMMIT' );
			if ( empty( $data['more'] ) ) {
				break;
			}
		}
	} finally {
		// The position of the last change applied: a failed change is tried again next time.
		update_option( 'mediakring_cursor', $since, false );
		wp_defer_term_counting( false );
		delete_transient( 'mediakring_sync_lock' );
	}
	if ( '' === $error ) {
		delete_option( 'mediakring_last_error' );
		update_option( 'mediakring_last_sync', time(), false );
	} else {
		update_option(
			'mediakring_last_error',
			array(
				'message' => $error,
				'at'      => time(),
			),
			false
		);
	}
	return array(
		'applied' => $applied,
		'last'    => $since,
		'error'   => $error,
	);
}

/**
 * On publish of an imported copy (or own item), tell the node the post's URL.
 */
function mediakring_report_publication( $new_status, $old_status, $post ) {
	if ( 'publish' !== $new_status || 'publish' === $old_status ) {
		return;
	}
	$item_id = get_post_meta( $post->ID, '_mediakring_id', true );
	if ( ! $item_id || ! get_post_meta( $post->ID, 'mediakring_is_copy', true ) ) {
		return; // only copies have an origin to tell.
	}
	$result = mediakring_request( 'POST', '/api/v1/items/' . rawurlencode( $item_id ) . '/publish', array( 'channel' => get_permalink( $post ) ) );
	if ( is_wp_error( $result ) ) {
		update_post_meta( $post->ID, '_mediakring_report_error', $result->get_error_message() );
	} else {
		update_post_meta( $post->ID, '_mediakring_reported', get_permalink( $post ) );
		delete_post_meta( $post->ID, '_mediakring_report_error' );
	}
}
