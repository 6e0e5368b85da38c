<?php
/**
 * PHPUnit bootstrap: the pure mapping code only, no WordPress.
 *
 * @package Mediakring
 */

require_once dirname( __DIR__ ) . '/includes/mapping.php';
