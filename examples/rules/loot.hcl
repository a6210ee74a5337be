# Loot tables, referenced by name from spawn_config.loot_table.

loot_table "tier_1_drops" {
  item "iron_ore" { weight = 70 }
  item "frost_herb" { weight = 30 }
}

loot_table "tier_2_drops" {
  item "ember_shard" { weight = 20 }
  item "silver_coin" { weight = 80 }
}

loot_table "tier_3_drops" {
  item "dragon_scale" { weight = 5 }
  item "gold_coin" { weight = 95 }
}
