//! The reasons given for a failed case: the steps of explanations, and
//! lines of the test runner's own (which user differs, which diagnostic).

use crate::eval::{Step, StepKind};
use serde::{Serialize, Serializer};

/// One line of the reasons given for a failed case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Reason {
    /// What the line is.
    pub kind: ReasonKind,
    /// What it says.
    pub text: String,
    /// `file:line:col` of its source, when it has one.
    pub location: Option<String>,
}

/// What a [`Reason`] is (JSON: `"user"`, `"diagnostic"`, or the step's
/// kind).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReasonKind {
    /// A step of an explanation.
    Step(StepKind),
    /// A heading of the runner's: a user, permission or role that differs
    /// from what the case expects; explanation steps follow it.
    User,
    /// A diagnostic of a policy or data that a case expected to be refused.
    Diagnostic,
}

impl ReasonKind {
    /// The kind's name, as JSON writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonKind::Step(k) => k.as_str(),
            ReasonKind::User => "user",
            ReasonKind::Diagnostic => "diagnostic",
        }
    }
}

impl Serialize for ReasonKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Reason {
    /// A heading line of the runner's.
    pub(crate) fn user(text: String) -> Reason {
        Reason {
            kind: ReasonKind::User,
            text,
            location: None,
        }
    }
}

impl From<Step> for Reason {
    fn from(s: Step) -> Reason {
        Reason {
            kind: ReasonKind::Step(s.kind),
            text: s.text,
            location: s.location,
        }
    }
}
