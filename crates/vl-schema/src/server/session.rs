//! `session.created` and `session.updated`.

use crate::session::ResponseSession;

event_struct! {
    /// The first event after connect: the full default session.
    SessionCreated {
        /// The effective session.
        session: ResponseSession,
    }
}

event_struct! {
    /// The answer to `session.update`: the full effective session.
    SessionUpdated {
        /// The effective session.
        session: ResponseSession,
    }
}
