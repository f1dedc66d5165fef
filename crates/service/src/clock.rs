//! The one place the wall clock is read.
//!
//! Tests use a fixed clock that they can advance, so every deadline and every expiry is
//! deterministic. Times are truncated to whole seconds in UTC, so that they store and compare
//! the same way on SQLite (RFC 3339 text) and PostgreSQL (timestamptz).

use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime, UtcOffset};

#[derive(Debug, Clone)]
pub enum Clock {
    System,
    Fixed(Arc<Mutex<OffsetDateTime>>),
}

impl Clock {
    pub fn fixed(at: OffsetDateTime) -> Clock {
        Clock::Fixed(Arc::new(Mutex::new(truncate(at))))
    }

    pub fn now(&self) -> OffsetDateTime {
        match self {
            Clock::System => truncate(OffsetDateTime::now_utc()),
            Clock::Fixed(at) => match at.lock() {
                Ok(guard) => *guard,
                Err(poisoned) => *poisoned.into_inner(),
            },
        }
    }

    /// Moves a fixed clock forward; does nothing to the system clock.
    pub fn advance(&self, by: Duration) {
        if let Clock::Fixed(at) = self {
            let mut guard = match at.lock() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            *guard = truncate(*guard + by);
        }
    }

    /// Today's date in China Standard Time (UTC+8), the date legal deadlines are counted in.
    pub fn today_in_china(&self) -> time::Date {
        let offset = UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC);
        self.now().to_offset(offset).date()
    }
}

fn truncate(at: OffsetDateTime) -> OffsetDateTime {
    let utc = at.to_offset(UtcOffset::UTC);
    utc.replace_nanosecond(0).unwrap_or(utc)
}
