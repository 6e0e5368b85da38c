"""The network's purpose: partners, audience (regie), shares, use, notifications, insight."""
