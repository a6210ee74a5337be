# The bundled example: this repository doubles as a rules repository, so `rulesctl check`
# works from a fresh clone with no arguments.

paths {
  rules        = "examples/rules"
  chart        = "examples/chart"
  values       = "examples/chart/values.yaml"
  environments = "environments"
  dist         = "dist"
}

# Ceilings this team sets on itself; they may narrow a built-in range, never widen it.
policy "safety_bounds.max_spawn_rate_multiplier" {
  max = 3.0
}

policy "spawn_config.base_rate" {
  min = 1
  max = 500
}

limits {
  max_file_bytes = 8388608
}

render {
  # The only values an environment may change.
  allow_overrides = ["gameServer.replicaCount", "gameServer.sidecar.resources"]

  # Written by rulesctl into every rendered environment: a version bump is one edit.
  inject = {
    "config.rulesetVersion"        = "ruleset_version"
    "config.rulesetDigest"         = "digest"
    "gameServer.sidecar.image.tag" = "ruleset_version"
  }
}

# What this chart's values mean, beyond what its values.schema.json says.
value "deployment.rollbackTimeout" {
  type = "duration"
  max  = "5m"
}

value "config.gossipEndpoint" {
  type = "endpoint"
}

value "config.merkleSyncInterval" {
  type = "duration"
}

value "config.vectorClockWindow" {
  type   = "duration"
  equals = "safety_bounds.duplicate_event_window_ms"
}
