"""Language models: the chat-model contract, its implementations (embedded llama.cpp, any
OpenAI-compatible server) and what kefu does with them (grounded answers, NLU help, agent
assist), always with a path that works when no model answers."""
