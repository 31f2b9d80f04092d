//! payrig-acquirer: payrig acquirer simulator: outcome tables, latency, records; pure and seeded.
