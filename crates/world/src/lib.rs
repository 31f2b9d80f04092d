//! payrig-world: payrig deterministic engine: virtual clock, event queue, seeded RNG, wiring of machines to devices (pure).
