//! `activityProgress` and `gradingProgress` [AGS §3.4.7, §3.4.8]: enums that keep unknown values.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! progress_enum {
    ($(#[$meta:meta])* $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value outside the vocabulary, as sent (a platform refuses it in a score; a tool keeps it when
            /// reading).
            Other(String),
        }

        impl $name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Other(other) => other,
                }
            }

            /// Whether the value is in the spec's vocabulary.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }

            /// Every value of the vocabulary, in spec order.
            pub const ALL: &'static [&'static str] = &[$( $wire, )*];
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }
    };
}

progress_enum!(
    /// The learner's progress on the activity [AGS §3.4.7].
    ActivityProgress {
        /// Not started, or reset.
        Initialized = "Initialized",
        /// Started.
        Started = "Started",
        /// In progress: a draft, open for comment.
        InProgress = "InProgress",
        /// Submitted; may be resubmitted.
        Submitted = "Submitted",
        /// Done.
        Completed = "Completed",
    }
);

progress_enum!(
    /// The state of grading [AGS §3.4.8]. Only [`FullyGraded`](Self::FullyGraded) is a final grade.
    GradingProgress {
        /// Final: the score may be shown to the learner.
        FullyGraded = "FullyGraded",
        /// Partially graded; no human needed.
        Pending = "Pending",
        /// A human must grade it (manual grading).
        PendingManual = "PendingManual",
        /// Grading could not complete.
        Failed = "Failed",
        /// No grading happening yet.
        NotReady = "NotReady",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c116_vocabularies_round_trip_and_unknown_values_are_kept() {
        for v in ActivityProgress::ALL {
            let p: ActivityProgress = serde_json::from_value(serde_json::json!(v)).unwrap();
            assert!(p.is_known());
            assert_eq!(serde_json::to_value(&p).unwrap(), serde_json::json!(v));
        }
        for v in GradingProgress::ALL {
            assert!(GradingProgress::from(*v).is_known());
            assert_eq!(GradingProgress::from(*v).as_str(), *v);
        }
        let odd: GradingProgress = serde_json::from_str("\"fullygraded\"").unwrap();
        assert_eq!(odd, GradingProgress::Other("fullygraded".into()));
        assert!(!odd.is_known());
        assert_eq!(
            ActivityProgress::from("None"),
            ActivityProgress::Other("None".into())
        );
    }
}
