spawn_config {
  region         = "ember_wastes"
  base_rate      = 20 # peak 20 × 2.5 = 50
  max_concurrent = 60
  cooldown_ms    = 6000
  loot_table     = "tier_2_drops"
}

event_stream {
  region             = "ember_wastes"
  max_len            = 8000
  max_in_flight      = 64
  backoff_multiplier = 1.5
  max_backoff_ms     = 10000
}
