"""`oneclick promo`: the product records its own demo and publishes an ad about itself."""
