# Ruleset-wide settings: the version, the global timers and the safety bounds.

ruleset_version = "v2.4.1"

event_timers {
  world_boss_interval = 3600 # seconds
  weather_cycle       = 900  # seconds
  maintenance_window  = "04:00 UTC"
}

safety_bounds {
  max_spawn_rate_multiplier = 2.5
  min_cooldown_override     = 5000 # ms: no region may cool down faster
  duplicate_event_window_ms = 3000 # ms: below min_cooldown_override
}
