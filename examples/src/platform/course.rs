//! The LMS side the protocol needs: courses (contexts), their members, the resource links placed in them and
//! the line items of their gradebook, kept in the store.

use std::collections::BTreeMap;
use std::sync::Arc;

use lti_core::role::ContextRole;
use lti_core::{ContextId, DeploymentId, Role, ToolRegistration, UserId};
use lti_storage::{Entry, MAX_SCAN_LIMIT, Namespace, Store};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The course every tool is deployed in.
pub const DEMO_COURSE: &str = "demo-course";

/// A course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Course {
    /// The context id.
    pub id: String,
    /// The title (`context.title`).
    pub title: String,
    /// The short label (`context.label`).
    pub label: String,
}

impl Course {
    /// A course.
    pub fn new(id: impl Into<String>, title: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            label: label.into(),
        }
    }
}

/// A person's role in a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CourseRole {
    /// Teaches: may add content (deep linking) and see the gradebook.
    Instructor,
    /// Takes the course.
    Learner,
}

impl CourseRole {
    /// The LTI role sent in launches.
    pub fn lti_role(self) -> Role {
        match self {
            Self::Instructor => Role::context(ContextRole::Instructor),
            Self::Learner => Role::context(ContextRole::Learner),
        }
    }

    /// The name shown on pages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Instructor => "Instructor",
            Self::Learner => "Learner",
        }
    }
}

/// A member of a course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Member {
    /// The user id (`sub`).
    pub user_id: String,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Email address.
    pub email: String,
    /// The role in the course.
    pub role: CourseRole,
}

impl Member {
    /// A member.
    pub fn new(
        user_id: impl Into<String>,
        given_name: impl Into<String>,
        family_name: impl Into<String>,
        role: CourseRole,
    ) -> Self {
        let user_id = user_id.into();
        Self {
            email: format!("{user_id}@reference-platform.invalid"),
            user_id,
            given_name: given_name.into(),
            family_name: family_name.into(),
            role,
        }
    }

    /// "Given Family".
    pub fn name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }

    /// The typed user id.
    pub fn id(&self) -> UserId {
        UserId::new(self.user_id.as_str())
    }
}

/// A resource link placed in a course: by tool registration (the tool's default link) or by deep linking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CourseLink {
    /// The resource link id.
    pub id: String,
    /// The course.
    pub context_id: String,
    /// The tool.
    pub client_id: String,
    /// The deployment.
    pub deployment_id: String,
    /// The title shown and sent.
    pub title: String,
    /// The description sent.
    #[serde(default)]
    pub text: Option<String>,
    /// The launch target; `None`: the tool's default.
    #[serde(default)]
    pub url: Option<String>,
    /// Custom parameters sent with every launch.
    #[serde(default)]
    pub custom: BTreeMap<String, String>,
}

impl CourseLink {
    /// The default link of a newly registered tool.
    pub fn for_tool(
        id: String,
        context_id: &str,
        registration: &ToolRegistration,
        deployment_id: &DeploymentId,
        title: String,
    ) -> Self {
        Self {
            id,
            context_id: context_id.to_owned(),
            client_id: registration.client_id().as_str().to_owned(),
            deployment_id: deployment_id.as_str().to_owned(),
            title,
            text: None,
            url: None,
            custom: BTreeMap::new(),
        }
    }

    /// A link created from a deep linking item.
    pub fn from_record(record: &lti_deep_linking::ResourceLinkRecord, context_id: &str) -> Self {
        Self {
            id: record.id.as_str().to_owned(),
            context_id: context_id.to_owned(),
            client_id: record.client_id.as_str().to_owned(),
            deployment_id: record.deployment_id.as_str().to_owned(),
            title: record
                .title
                .clone()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| "Untitled".to_owned()),
            text: record.text.clone(),
            url: record.url.clone(),
            custom: record.custom.0.clone(),
        }
    }
}

/// A gradebook column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GradebookItem {
    /// The line item id.
    pub id: String,
    /// The label.
    pub label: String,
    /// The maximum score.
    pub score_maximum: f64,
    /// The resource link it belongs to.
    #[serde(default)]
    pub resource_link_id: Option<String>,
    /// The tool's resource id.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// The tool's tag.
    #[serde(default)]
    pub tag: Option<String>,
    /// The tool that owns it.
    pub client_id: String,
}

/// Courses, members, links and line items over a [`Store`]. Keys are `<context id>/<id>`.
#[derive(Debug, Clone)]
pub struct Courses {
    store: Arc<dyn Store>,
}

impl Courses {
    /// Courses by id.
    pub const COURSES: Namespace = Namespace::new("ref.platform.course");
    /// Members by `<context>/<user>`.
    pub const MEMBERS: Namespace = Namespace::new("ref.platform.member");
    /// Links by `<context>/<link>`.
    pub const LINKS: Namespace = Namespace::new("ref.platform.link");
    /// Line items by `<context>/<line item>`.
    pub const LINE_ITEMS: Namespace = Namespace::new("ref.platform.line_item");

    /// Courses in `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// The course `id`.
    ///
    /// # Errors
    /// A store failure.
    pub async fn course(&self, id: &str) -> Result<Option<Course>, lti_storage::Error> {
        self.get(Self::COURSES, id.as_bytes()).await
    }

    /// Stores a course.
    ///
    /// # Errors
    /// A store failure.
    pub async fn put_course(&self, course: &Course) -> Result<(), lti_storage::Error> {
        self.put(Self::COURSES, course.id.as_bytes(), course).await
    }

    /// The member `user` of `context`.
    ///
    /// # Errors
    /// A store failure.
    pub async fn member(
        &self,
        context: &str,
        user: &str,
    ) -> Result<Option<Member>, lti_storage::Error> {
        self.get(Self::MEMBERS, &key(context, user)).await
    }

    /// Adds (or replaces) a member of `context`.
    ///
    /// # Errors
    /// A store failure.
    pub async fn put_member(
        &self,
        context: &str,
        member: &Member,
    ) -> Result<(), lti_storage::Error> {
        self.put(Self::MEMBERS, &key(context, &member.user_id), member)
            .await
    }

    /// Up to `limit` members of `context` after the user id `after`, in user-id order.
    ///
    /// # Errors
    /// A store failure.
    pub async fn members(
        &self,
        context: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Member>, lti_storage::Error> {
        let after = after.map(|a| key(context, a));
        let entries = self
            .store
            .scan_prefix(
                Self::MEMBERS,
                &key(context, ""),
                after.as_deref(),
                limit.clamp(1, MAX_SCAN_LIMIT),
            )
            .await?;
        Ok(decode_all(Self::MEMBERS, &entries))
    }

    /// Places a link in its course.
    ///
    /// # Errors
    /// A store failure.
    pub async fn add_link(&self, link: &CourseLink) -> Result<(), lti_storage::Error> {
        self.put(Self::LINKS, &key(&link.context_id, &link.id), link)
            .await
    }

    /// The link `id` of `context`.
    ///
    /// # Errors
    /// A store failure.
    pub async fn link(
        &self,
        context: &str,
        id: &str,
    ) -> Result<Option<CourseLink>, lti_storage::Error> {
        self.get(Self::LINKS, &key(context, id)).await
    }

    /// Every link of `context`.
    ///
    /// # Errors
    /// A store failure.
    pub async fn links(&self, context: &str) -> Result<Vec<CourseLink>, lti_storage::Error> {
        self.all(Self::LINKS, context).await
    }

    /// Adds a gradebook column to `context`.
    ///
    /// # Errors
    /// A store failure.
    pub async fn add_line_item(
        &self,
        context: &str,
        item: &GradebookItem,
    ) -> Result<(), lti_storage::Error> {
        self.put(Self::LINE_ITEMS, &key(context, &item.id), item)
            .await
    }

    /// Every gradebook column of `context`.
    ///
    /// # Errors
    /// A store failure.
    pub async fn line_items(
        &self,
        context: &str,
    ) -> Result<Vec<GradebookItem>, lti_storage::Error> {
        self.all(Self::LINE_ITEMS, context).await
    }

    async fn all<T: DeserializeOwned>(
        &self,
        ns: Namespace,
        context: &str,
    ) -> Result<Vec<T>, lti_storage::Error> {
        let prefix = key(context, "");
        let mut out = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self
                .store
                .scan_prefix(ns, &prefix, after.as_deref(), MAX_SCAN_LIMIT)
                .await?;
            let full = page.len() == MAX_SCAN_LIMIT;
            after = page.last().map(|e| e.key.clone());
            out.extend(decode_all(ns, &page));
            if !full {
                return Ok(out);
            }
        }
    }

    async fn get<T: DeserializeOwned>(
        &self,
        ns: Namespace,
        key: &[u8],
    ) -> Result<Option<T>, lti_storage::Error> {
        if key.len() > lti_storage::MAX_KEY_LEN {
            return Ok(None);
        }
        match self.store.get(ns, key).await? {
            None => Ok(None),
            Some(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|_| lti_storage::Error::Corrupt {
                        namespace: ns.as_str(),
                        reason: "not the expected JSON record",
                    })
            }
        }
    }

    async fn put<T: Serialize>(
        &self,
        ns: Namespace,
        key: &[u8],
        value: &T,
    ) -> Result<(), lti_storage::Error> {
        let bytes = encode(ns, value)?;
        self.store.put(ns, key, &bytes, None).await?;
        self.store.flush().await
    }
}

/// `value` as JSON for namespace `ns`.
///
/// # Errors
/// [`lti_storage::Error::Corrupt`] when it does not serialize (never for the records here).
pub fn encode<T: Serialize>(ns: Namespace, value: &T) -> Result<Vec<u8>, lti_storage::Error> {
    serde_json::to_vec(value).map_err(|_| lti_storage::Error::Corrupt {
        namespace: ns.as_str(),
        reason: "record does not serialize",
    })
}

fn key(context: &str, id: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(context.len() + id.len() + 1);
    key.extend_from_slice(context.as_bytes());
    key.push(b'/');
    key.extend_from_slice(id.as_bytes());
    key
}

fn decode_all<T: DeserializeOwned>(ns: Namespace, entries: &[Entry]) -> Vec<T> {
    entries
        .iter()
        .filter_map(|e| match serde_json::from_slice(&e.value) {
            Ok(v) => Some(v),
            Err(error) => {
                tracing::error!(namespace = ns.as_str(), %error, "stored record does not parse");
                None
            }
        })
        .collect()
}

/// The typed context id of a course id.
pub fn context_id(course: &Course) -> ContextId {
    ContextId::new(course.id.as_str())
}
