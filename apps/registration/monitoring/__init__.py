"""Registration monitoring: who has registered, by region and municipality."""
