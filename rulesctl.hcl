# The bundled example: this repository doubles as a rules repository, so `rulesctl check`
# works from a fresh clone with no arguments.

paths {
  rules        = "examples/rules"
  values       = "examples/values.yaml"
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
  allow_overrides = ["gameServer.replicaCount", "gameServer.sidecar.resources"]
}
