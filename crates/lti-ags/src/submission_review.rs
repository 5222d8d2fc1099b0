//! Submission Review 1.0: the `LtiSubmissionReviewRequest` rules a tool validates a launch with, and the claims
//! a platform puts in one (SR `#ltisubmissionreviewrequest-claims`; `ags.md` §12).

use lti_core::claims::{Custom, ForUser};
use lti_core::message::LtiMessage;
use lti_core::message::{MessageRules, MessageType};
use lti_core::uri::claim;
use lti_core::{DeploymentId, Error, TargetLinkUri};

use crate::{AgsEndpointClaim, LineItemId, SubmissionReview};

/// The `lineitem` member of the AGS claim, for errors.
pub const AGS_LINEITEM_MEMBER: &str =
    "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint#lineitem";

/// The `user_id` member of the `for_user` claim, for errors.
pub const FOR_USER_ID_MEMBER: &str = "https://purl.imsglobal.org/spec/lti/claim/for_user#user_id";

/// The rules of `LtiSubmissionReviewRequest` (checklist 130): `target_link_uri` present; `roles` present
/// (of the launching user); the AGS endpoint claim present, well formed, with a non-blank `lineitem`; the
/// `for_user` claim present with a non-empty `user_id` (the submitter, who may differ from `sub`).
///
/// Pass it to [`lti_core::message::validate_lti_claims`] next to the resource link rules at the tool's
/// launch endpoint.
#[derive(Debug, Clone, Copy, Default)]
pub struct SubmissionReviewRules;

impl SubmissionReviewRules {
    /// The rules.
    pub fn new() -> Self {
        Self
    }
}

impl MessageRules for SubmissionReviewRules {
    fn message_type(&self) -> MessageType {
        MessageType::LtiSubmissionReviewRequest
    }

    fn check(&self, message: &LtiMessage) -> Result<(), Error> {
        lti_core::message::require_target_link_uri(message)?;
        lti_core::message::require_roles(message)?;
        let ags = AgsEndpointClaim::from_message(message)?.ok_or(Error::MissingClaim {
            claim: claim::AGS_ENDPOINT,
        })?;
        if ags.lineitem.is_none() {
            return Err(Error::MissingClaim {
                claim: AGS_LINEITEM_MEMBER,
            });
        }
        let for_user = message.for_user.as_ref().ok_or(Error::MissingClaim {
            claim: claim::FOR_USER,
        })?;
        match &for_user.user_id {
            None => Err(Error::MissingClaim {
                claim: FOR_USER_ID_MEMBER,
            }),
            Some(id) if id.as_str().trim().is_empty() => Err(Error::EmptyClaim {
                claim: FOR_USER_ID_MEMBER,
            }),
            Some(_) => Ok(()),
        }
    }
}

/// The claims of a submission review launch a platform starts from a gradebook cell (checklist 131):
/// `message_type` `LtiSubmissionReviewRequest`, `version`, `deployment_id`, `target_link_uri` (the
/// line item's `submissionReview.url`, else `default_target`), the AGS claim `ags` with `lineitem` set to
/// `line_item`, `for_user`, and `custom` from `submissionReview.custom`.
///
/// The platform adds the rest as for any launch (`iss`, `aud`, `sub` and `roles` of the reviewer, `context`,
/// `resource_link` when the item is bound to one) and signs it.
pub fn submission_review_message(
    deployment_id: DeploymentId,
    default_target: TargetLinkUri,
    mut ags: AgsEndpointClaim,
    line_item: LineItemId,
    review: Option<&SubmissionReview>,
    for_user: ForUser,
) -> LtiMessage {
    let mut message = LtiMessage::new(MessageType::LtiSubmissionReviewRequest, deployment_id);
    message.target_link_uri = Some(
        review
            .and_then(|r| r.url.as_deref())
            .map_or(default_target, TargetLinkUri::from),
    );
    ags.lineitem = Some(line_item);
    message.ags_endpoint = Some(ags.to_claim());
    message.for_user = Some(for_user);
    if let Some(custom) = review.and_then(|r| r.custom.as_ref()) {
        message.custom = Some(Custom(custom.clone()));
    }
    message
}

#[cfg(test)]
mod tests {
    use lti_core::UserId;
    use lti_core::message::validate_lti_claims;

    use super::*;
    use crate::{ActivityProgress, scope};

    fn review_launch() -> LtiMessage {
        let mut review = SubmissionReview::new(vec![ActivityProgress::Submitted]);
        review.url = Some("https://tool.example/review".into());
        review.custom = Some([("mode".to_owned(), "grade".to_owned())].into());
        let mut message = submission_review_message(
            DeploymentId::from("d1"),
            TargetLinkUri::from("https://tool.example/launch"),
            AgsEndpointClaim::new([scope::SCORE]),
            LineItemId::from("https://lms.example/ags/x/lineitems/k"),
            Some(&review),
            ForUser::new(UserId::from("learner-1")),
        );
        message.roles = Some(vec![]);
        message
    }

    #[test]
    fn c131_platform_message_carries_lineitem_for_user_url_and_custom() {
        let m = review_launch();
        assert_eq!(
            m.target_link_uri.as_ref().unwrap().as_str(),
            "https://tool.example/review"
        );
        let ags = AgsEndpointClaim::from_message(&m).unwrap().unwrap();
        assert_eq!(
            ags.lineitem.unwrap().as_str(),
            "https://lms.example/ags/x/lineitems/k"
        );
        assert_eq!(
            m.for_user
                .as_ref()
                .unwrap()
                .user_id
                .as_ref()
                .unwrap()
                .as_str(),
            "learner-1"
        );
        let custom = serde_json::to_value(m.custom.as_ref().unwrap()).unwrap();
        assert_eq!(custom["mode"], "grade");
        validate_lti_claims(&m, &[&SubmissionReviewRules]).unwrap();
    }

    #[test]
    fn c130_tool_rejects_review_launches_missing_a_required_claim() {
        let mut m = review_launch();
        m.ags_endpoint = None;
        assert_eq!(
            validate_lti_claims(&m, &[&SubmissionReviewRules]).unwrap_err(),
            Error::MissingClaim {
                claim: claim::AGS_ENDPOINT
            }
        );
        let mut m = review_launch();
        let mut ags = AgsEndpointClaim::from_message(&m).unwrap().unwrap();
        ags.lineitem = None;
        m.ags_endpoint = Some(ags.to_claim());
        assert_eq!(
            validate_lti_claims(&m, &[&SubmissionReviewRules]).unwrap_err(),
            Error::MissingClaim {
                claim: AGS_LINEITEM_MEMBER
            }
        );
        let mut m = review_launch();
        m.for_user = None;
        assert_eq!(
            validate_lti_claims(&m, &[&SubmissionReviewRules]).unwrap_err(),
            Error::MissingClaim {
                claim: claim::FOR_USER
            }
        );
        let mut m = review_launch();
        m.for_user = Some(ForUser::default());
        assert_eq!(
            validate_lti_claims(&m, &[&SubmissionReviewRules]).unwrap_err(),
            Error::MissingClaim {
                claim: FOR_USER_ID_MEMBER
            }
        );
        let mut m = review_launch();
        m.ags_endpoint = Some(lti_core::claims::AgsEndpoint::new(
            serde_json::json!({"scope": 1}),
        ));
        assert!(matches!(
            validate_lti_claims(&m, &[&SubmissionReviewRules]).unwrap_err(),
            Error::InvalidClaim { .. }
        ));
        // a resource link launch is not a review launch
        let mut m = review_launch();
        m.message_type = Some(MessageType::LtiResourceLinkRequest);
        assert!(matches!(
            validate_lti_claims(&m, &[&SubmissionReviewRules]).unwrap_err(),
            Error::MessageTypeUnsupported { .. }
        ));
    }

    #[test]
    fn member_names_extend_the_claim_uris() {
        assert_eq!(
            AGS_LINEITEM_MEMBER,
            format!("{}#lineitem", claim::AGS_ENDPOINT)
        );
        assert_eq!(FOR_USER_ID_MEMBER, format!("{}#user_id", claim::FOR_USER));
    }
}
