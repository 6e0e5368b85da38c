<?php
/**
 * The settings page (Settings → Mediakring), "test connection", "sync now", and the
 * admin notice when the node could not be reached.
 *
 * @package Mediakring
 * @license GPL-2.0-or-later
 */

defined( 'ABSPATH' ) || exit;

add_action(
	'admin_menu',
	function () {
		add_options_page( __( 'Mediakring', 'mediakring' ), __( 'Mediakring', 'mediakring' ), 'manage_options', 'mediakring', 'mediakring_settings_page' );
	}
);

add_action( 'admin_post_mediakring_save', 'mediakring_handle_save' );
add_action( 'admin_notices', 'mediakring_admin_notice' );

/**
 * The item kinds a node knows (docs/api.md) with their labels.
 */
function mediakring_kinds() {
	return array(
		'article'   => __( 'Article', 'mediakring' ),
		'photo'     => __( 'Photo', 'mediakring' ),
		'video'     => __( 'Video', 'mediakring' ),
		'audio'     => __( 'Audio', 'mediakring' ),
		'document'  => __( 'Document', 'mediakring' ),
		'event'     => __( 'Event', 'mediakring' ),
		'vacancy'   => __( 'Vacancy', 'mediakring' ),
	);
}

/**
 * Save, test or sync (one form, three buttons); redirects back with a message.
 */
function mediakring_handle_save() {
	if ( ! current_user_can( 'manage_options' ) ) {
		wp_die( esc_html__( 'You may not change these settings.', 'mediakring' ), 403 );
	}
	check_admin_referer( 'mediakring_save' );
	$old   = mediakring_settings();
	$input = wp_unslash( $_POST );
	$new   = $old;
	$url   = isset( $input['node_url'] ) ? esc_url_raw( trim( (string) $input['node_url'] ) ) : '';
	$notice = array();
	if ( '' !== $url && ! preg_match( '#^https?://[^/\s]+#i', $url ) ) {
		$notice = array( 'error', __( 'The node URL must start with http:// or https://.', 'mediakring' ) );
	} else {
		$new['node_url'] = untrailingslashit( $url );
	}
	// The token and secret are never shown again; an empty field keeps the stored one.
	foreach ( array( 'token', 'webhook_secret' ) as $secret ) {
		$value = isset( $input[ $secret ] ) ? trim( sanitize_text_field( (string) $input[ $secret ] ) ) : '';
		if ( '' !== $value ) {
			$new[ $secret ] = $value;
		}
	}
	$new['import_own']    = empty( $input['import_own'] ) ? 0 : 1;
	$new['import_copies'] = empty( $input['import_copies'] ) ? 0 : 1;
	$kinds                = isset( $input['kinds'] ) ? array_map( 'sanitize_key', (array) $input['kinds'] ) : array();
	$new['kinds']         = array_values( array_intersect( $kinds, array_keys( mediakring_kinds() ) ) );
	$new['tag']           = isset( $input['tag'] ) ? sanitize_text_field( (string) $input['tag'] ) : '';
	$type                 = isset( $input['post_type'] ) ? sanitize_key( (string) $input['post_type'] ) : 'post';
	$new['post_type']     = post_type_exists( $type ) ? $type : 'post';
	$new['category']      = isset( $input['category'] ) ? absint( $input['category'] ) : 0;
	$new['author']        = isset( $input['author'] ) ? absint( $input['author'] ) : 0;
	$new['status']        = isset( $input['status'] ) && 'publish' === $input['status'] ? 'publish' : 'draft';
	update_option( 'mediakring_settings', $new, false );
	if ( ! $notice ) {
		$notice = array( 'success', __( 'Settings saved.', 'mediakring' ) );
	}
	if ( isset( $input['mediakring_test'] ) ) {
		$who = mediakring_request( 'GET', '/api/v1/whoami', null, $new );
		if ( is_wp_error( $who ) ) {
			/* translators: %s: the reason */
			$notice = array( 'error', sprintf( __( 'Connection failed: %s', 'mediakring' ), $who->get_error_message() ) );
		} else {
			/* translators: 1: organisation name, 2: token scope */
			$notice = array( 'success', sprintf( __( 'Connected to %1$s (token scope: %2$s).', 'mediakring' ), $who['organisation'], $who['scope'] ) );
			update_option( 'mediakring_organisation', $who['organisation'], false );
		}
	} elseif ( isset( $input['mediakring_sync'] ) ) {
		$result = mediakring_sync();
		if ( '' !== $result['error'] ) {
			$notice = array( 'error', $result['error'] );
		} else {
			/* translators: %d: number of changes */
			$notice = array( 'success', sprintf( _n( '%d change applied.', '%d changes applied.', $result['applied'], 'mediakring' ), $result['applied'] ) );
		}
	}
	set_transient( 'mediakring_notice_' . get_current_user_id(), $notice, 60 );
	wp_safe_redirect( admin_url( 'options-general.php?page=mediakring' ) );
	exit;
}

/**
 * When the last sync failed: a notice with the reason, on every admin page for admins.
 */
function mediakring_admin_notice() {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	$error = get_option( 'mediakring_last_error' );
	if ( is_array( $error ) && ! empty( $error['message'] ) ) {
		echo '<div class="notice notice-warning mediakring-sync-error"><p><strong>' . esc_html__( 'Mediakring:', 'mediakring' ) . '</strong> '
			. esc_html__( 'the last sync failed; the site keeps the posts it has.', 'mediakring' ) . ' '
			. esc_html( $error['message'] ) . '</p></div>';
	}
}

/**
 * Render the settings page.
 */
function mediakring_settings_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		wp_die( esc_html__( 'You may not change these settings.', 'mediakring' ), 403 );
	}
	$s      = mediakring_settings();
	$notice = get_transient( 'mediakring_notice_' . get_current_user_id() );
	delete_transient( 'mediakring_notice_' . get_current_user_id() );
	$types  = get_post_types( array( 'public' => true ), 'objects' );
	unset( $types['attachment'] );
	$last = get_option( 'mediakring_last_sync' );
	?>
	<div class="wrap">
		<h1><?php esc_html_e( 'Mediakring', 'mediakring' ); ?></h1>
		<?php if ( is_array( $notice ) ) : ?>
			<div class="notice notice-<?php echo esc_attr( $notice[0] ); ?> mediakring-result" role="status"><p><?php echo esc_html( $notice[1] ); ?></p></div>
		<?php endif; ?>
		<p><?php esc_html_e( 'Publish items from your Mediakring node on this site. Create an API token with scope "report" on the node (Tokens in the node admin) and paste it here.', 'mediakring' ); ?></p>
		<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
			<input type="hidden" name="action" value="mediakring_save" />
			<?php wp_nonce_field( 'mediakring_save' ); ?>
			<h2><?php esc_html_e( 'Connection', 'mediakring' ); ?></h2>
			<table class="form-table" role="presentation">
				<tr><th scope="row"><label for="mk-node-url"><?php esc_html_e( 'Node URL', 'mediakring' ); ?></label></th>
					<td><input type="url" class="regular-text" id="mk-node-url" name="node_url" value="<?php echo esc_attr( $s['node_url'] ); ?>" placeholder="https://media.example.nl" /></td></tr>
				<tr><th scope="row"><label for="mk-token"><?php esc_html_e( 'API token', 'mediakring' ); ?></label></th>
					<td><input type="password" class="regular-text" id="mk-token" name="token" value="" autocomplete="off" aria-describedby="mk-token-help" />
					<p class="description" id="mk-token-help"><?php echo $s['token'] ? esc_html__( 'A token is stored. Leave empty to keep it.', 'mediakring' ) : esc_html__( 'No token stored yet.', 'mediakring' ); ?></p></td></tr>
				<tr><th scope="row"><label for="mk-secret"><?php esc_html_e( 'Webhook secret', 'mediakring' ); ?></label></th>
					<td><input type="password" class="regular-text" id="mk-secret" name="webhook_secret" value="" autocomplete="off" aria-describedby="mk-secret-help" />
					<p class="description" id="mk-secret-help"><?php
						/* translators: %s: the webhook URL of this site */
						echo esc_html( sprintf( __( 'Subscribe %s on the node to the events item.published and item.changed, and paste the secret it shows once.', 'mediakring' ), rest_url( 'mediakring/v1/webhook' ) ) );
					?></p></td></tr>
			</table>
			<h2><?php esc_html_e( 'What to import', 'mediakring' ); ?></h2>
			<table class="form-table" role="presentation">
				<tr><th scope="row"><?php esc_html_e( 'Items', 'mediakring' ); ?></th>
					<td><fieldset><legend class="screen-reader-text"><?php esc_html_e( 'Items', 'mediakring' ); ?></legend>
					<label><input type="checkbox" name="import_own" value="1" <?php checked( $s['import_own'] ); ?> /> <?php esc_html_e( 'Our own public items', 'mediakring' ); ?></label><br />
					<label><input type="checkbox" name="import_copies" value="1" <?php checked( $s['import_copies'] ); ?> /> <?php esc_html_e( 'Partner items taken into our library', 'mediakring' ); ?></label></fieldset></td></tr>
				<tr><th scope="row"><?php esc_html_e( 'Kinds', 'mediakring' ); ?></th>
					<td><fieldset><legend class="screen-reader-text"><?php esc_html_e( 'Kinds', 'mediakring' ); ?></legend>
					<?php foreach ( mediakring_kinds() as $kind => $label ) : ?>
						<label><input type="checkbox" name="kinds[]" value="<?php echo esc_attr( $kind ); ?>" <?php checked( in_array( $kind, (array) $s['kinds'], true ) ); ?> /> <?php echo esc_html( $label ); ?></label>&nbsp;
					<?php endforeach; ?>
					<p class="description"><?php esc_html_e( 'None ticked: all kinds.', 'mediakring' ); ?></p></fieldset></td></tr>
				<tr><th scope="row"><label for="mk-tag"><?php esc_html_e( 'Only with tag', 'mediakring' ); ?></label></th>
					<td><input type="text" id="mk-tag" name="tag" value="<?php echo esc_attr( $s['tag'] ); ?>" /></td></tr>
			</table>
			<h2><?php esc_html_e( 'Where it goes', 'mediakring' ); ?></h2>
			<table class="form-table" role="presentation">
				<tr><th scope="row"><label for="mk-type"><?php esc_html_e( 'Post type', 'mediakring' ); ?></label></th>
					<td><select id="mk-type" name="post_type"><?php foreach ( $types as $type ) : ?>
						<option value="<?php echo esc_attr( $type->name ); ?>" <?php selected( $s['post_type'], $type->name ); ?>><?php echo esc_html( $type->labels->singular_name ); ?></option>
					<?php endforeach; ?></select></td></tr>
				<tr><th scope="row"><label for="mk-category"><?php esc_html_e( 'Category', 'mediakring' ); ?></label></th>
					<td><?php wp_dropdown_categories( array( 'name' => 'category', 'id' => 'mk-category', 'selected' => (int) $s['category'], 'show_option_none' => __( '(default)', 'mediakring' ), 'option_none_value' => 0, 'hide_empty' => false ) ); ?></td></tr>
				<tr><th scope="row"><label for="mk-author"><?php esc_html_e( 'Author', 'mediakring' ); ?></label></th>
					<td><?php wp_dropdown_users( array( 'name' => 'author', 'id' => 'mk-author', 'selected' => (int) $s['author'], 'show_option_none' => __( '(current user)', 'mediakring' ), 'option_none_value' => 0 ) ); ?></td></tr>
				<tr><th scope="row"><?php esc_html_e( 'Import as', 'mediakring' ); ?></th>
					<td><fieldset><legend class="screen-reader-text"><?php esc_html_e( 'Import as', 'mediakring' ); ?></legend>
					<label><input type="radio" name="status" value="draft" <?php checked( $s['status'], 'draft' ); ?> /> <?php esc_html_e( 'Draft (an editor publishes)', 'mediakring' ); ?></label><br />
					<label><input type="radio" name="status" value="publish" <?php checked( $s['status'], 'publish' ); ?> /> <?php esc_html_e( 'Publish directly', 'mediakring' ); ?></label></fieldset></td></tr>
			</table>
			<p class="submit">
				<?php submit_button( __( 'Save settings', 'mediakring' ), 'primary', 'mediakring_save', false ); ?>
				<?php submit_button( __( 'Test connection', 'mediakring' ), 'secondary', 'mediakring_test', false ); ?>
				<?php submit_button( __( 'Sync now', 'mediakring' ), 'secondary', 'mediakring_sync', false ); ?>
			</p>
			<p><?php
			if ( $last ) {
				/* translators: %s: date and time */
				echo esc_html( sprintf( __( 'Last successful sync: %s', 'mediakring' ), wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), (int) $last ) ) );
			} else {
				esc_html_e( 'Not synced yet.', 'mediakring' );
			}
			?></p>
		</form>
	</div>
	<?php
}
