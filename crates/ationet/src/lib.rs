//! payrig-ationet: ATIONet Fleet Mobile Payment API: wire types, transaction machine, requirement catalogue (pure).
