"""The World's rules, one mixin per concern; adapters.game_server.world assembles them."""
