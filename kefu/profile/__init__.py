"""What kefu knows of each customer (their profile), what they said they like, and what it
recommends to them."""
