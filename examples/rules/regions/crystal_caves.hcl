spawn_config {
  region         = "crystal_caves"
  base_rate      = 12 # spawns per minute; peak 12 × 2.5 = 30
  max_concurrent = 45
  cooldown_ms    = 8000
  loot_table     = "tier_3_drops"
}

event_stream {
  region             = "crystal_caves"
  max_len            = 5000
  max_in_flight      = 32
  backoff_multiplier = 2.0
  max_backoff_ms     = 8000
}
