spawn_config {
  region         = "frost_peaks"
  base_rate      = 8 # peak 8 × 2.5 = 20
  max_concurrent = 30
  cooldown_ms    = 12000
  loot_table     = "tier_1_drops"
}

event_stream {
  region             = "frost_peaks"
  max_len            = 2000
  max_in_flight      = 16
  backoff_multiplier = 2.0
  max_backoff_ms     = 15000
}
