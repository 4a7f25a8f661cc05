"""The shop's knowledge: policies and FAQ, split into passages and searched."""
