//! The working-day calendar in force: the arrangements compiled into the binary, corrected by
//! the years an administrator imported (the State Council publishes each next year around
//! November, so an installation must be able to load it without a new release).

use crate::{Actor, RequestOrigin, ServiceError, ServiceResult, Services};
use gongkai_domain::account::Role;
use gongkai_domain::calendar::{WorkingDayCalendar, YearArrangement};

impl Services {
    /// The calendar: built-in years, then every imported year on top.
    pub async fn working_day_calendar(&self) -> ServiceResult<WorkingDayCalendar> {
        let mut calendar = WorkingDayCalendar::builtin();
        for (year, json) in self.db.calendar_year_list().await? {
            match YearArrangement::parse_json(&json) {
                Ok(arrangement) => calendar = calendar.with_year(arrangement),
                // A stored year was valid when imported; if a later, stricter parser refuses
                // it, the built-in data stays in force and the operator hears about it.
                Err(e) => {
                    tracing::error!(year, error = %e, "stored calendar year no longer parses")
                }
            }
        }
        Ok(calendar)
    }

    /// Imports one year's arrangement (the holiday-cn JSON shape). From the command line
    /// `actor` is `None`: whoever runs the binary on the server is trusted.
    pub async fn import_calendar_year(
        &self,
        actor: Option<&Actor>,
        json: &str,
        origin: &RequestOrigin,
    ) -> ServiceResult<i32> {
        if let Some(actor) = actor
            && !(actor.is_installation_administrator() || actor.has_role(Role::SystemAdministrator))
        {
            return Err(ServiceError::Forbidden);
        }
        let arrangement = YearArrangement::parse_json(json)
            .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("{e}")))
            .map_err(|_| ServiceError::invalid("arrangement", "calendar_invalid"))?;
        let year = arrangement.year();
        self.db
            .calendar_year_upsert(year, json, self.clock.now(), actor.map(|a| a.account_id))
            .await?;
        // A newly published holiday moves the deadlines of open applications.
        let n_recomputed = self.recompute_open_deadlines().await?;
        tracing::info!(
            year,
            n_recomputed,
            "calendar year imported; open deadlines recomputed"
        );
        self.record_security_event(
            "calendar_year_imported",
            None,
            actor.map(|a| a.account_id),
            origin,
            serde_json::json!({ "year": year }),
        )
        .await?;
        Ok(year)
    }
}
