//! Items against the settings that were offered [DL §4.4.1], and the member rules of each item type [DL §3].
//!
//! The tool checks before it signs ([`check_items`]); the platform checks what it receives with the same code,
//! less strictly where the spec tells the platform to ignore rather than refuse.

use crate::error::clip;
use crate::items::{ContentItem, Icon, LineItem};
use crate::settings::parse_http_url;
use crate::uri::document_target;
use crate::{DeepLinkingSettings, Error};

/// The most content items one response may carry (a hard cap before any other check).
pub const MAX_CONTENT_ITEMS: usize = 100;

/// Who checks: the tool refuses to send what the settings forbid; the platform ignores what the spec says it
/// ignores (`lineItem` with `accept_lineitem: false`, presentation hints).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Tool,
    #[cfg_attr(not(feature = "platform"), allow(dead_code))]
    Platform,
}

/// Checks `items` the way a tool must before answering `settings` (checklist I88):
/// - at most [`MAX_CONTENT_ITEMS`], and at most one unless `accept_multiple` is `true`;
/// - every type in `accept_types`;
/// - no `lineItem` when `accept_lineitem` is `false`;
/// - presentation hints (`embed`, `iframe`, `window`) within `accept_presentation_document_targets`;
/// - `file` media types within `accept_media_types`;
/// - each item's own members: required URLs absolute `http(s)`, `iframe.src` on links, `scoreMaximum` > 0 and
///   a non-blank `label`.
///
/// # Errors
/// The [`Error`] variant of the first broken rule, naming the item's index.
pub fn check_items(settings: &DeepLinkingSettings, items: &[ContentItem]) -> Result<(), Error> {
    check(settings, items, Side::Tool)
}

pub(crate) fn check(
    settings: &DeepLinkingSettings,
    items: &[ContentItem],
    side: Side,
) -> Result<(), Error> {
    if items.len() > MAX_CONTENT_ITEMS {
        return Err(Error::ItemLimit {
            max: MAX_CONTENT_ITEMS,
            found: items.len(),
        });
    }
    if items.len() > 1 && !settings.accepts_multiple() {
        return Err(Error::MultipleNotAccepted { found: items.len() });
    }
    for (index, item) in items.iter().enumerate() {
        if !settings.accepts_type(item.item_type()) {
            return Err(Error::TypeNotAccepted {
                index,
                found: clip(item.item_type()),
                accepted: settings.accept_types.clone(),
            });
        }
        check_item(settings, index, item, side)?;
    }
    Ok(())
}

fn check_item(
    settings: &DeepLinkingSettings,
    index: usize,
    item: &ContentItem,
    side: Side,
) -> Result<(), Error> {
    let url = |field, value: &str| require_url(index, field, value);
    let mut targets: Vec<&'static str> = Vec::new();
    match item {
        ContentItem::Link(link) => {
            url("url", &link.url)?;
            icons(index, link.icon.as_ref(), link.thumbnail.as_ref())?;
            if link.embed.is_some() {
                targets.push(document_target::EMBED);
            }
            if let Some(iframe) = &link.iframe {
                match &iframe.src {
                    Some(src) => url("iframe.src", src)?,
                    None => {
                        return Err(invalid(index, "iframe.src", "required on a `link` iframe"));
                    }
                }
                targets.push(document_target::IFRAME);
            }
            if link.window.is_some() {
                targets.push(document_target::WINDOW);
            }
        }
        ContentItem::LtiResourceLink(link) => {
            if let Some(u) = &link.url {
                url("url", u)?;
            }
            icons(index, link.icon.as_ref(), link.thumbnail.as_ref())?;
            if let Some(line_item) = &link.line_item {
                if side == Side::Tool && settings.accept_lineitem == Some(false) {
                    return Err(Error::LineItemNotAccepted { index });
                }
                check_line_item(index, line_item)?;
            }
            if link.iframe.is_some() {
                targets.push(document_target::IFRAME);
            }
            if link.window.is_some() {
                targets.push(document_target::WINDOW);
            }
        }
        ContentItem::File(file) => {
            url("url", &file.url)?;
            icons(index, file.icon.as_ref(), file.thumbnail.as_ref())?;
            if let Some(media_type) = &file.media_type
                && !settings.accepts_media_type(media_type)
            {
                return Err(Error::MediaTypeNotAccepted {
                    index,
                    found: clip(media_type),
                    accepted: settings.accept_media_types.clone().unwrap_or_default(),
                });
            }
        }
        ContentItem::Image(image) => {
            url("url", &image.url)?;
            icons(index, image.icon.as_ref(), image.thumbnail.as_ref())?;
        }
        ContentItem::Html(_) | ContentItem::Other(_) => {}
    }
    if side == Side::Tool
        && let Some(target) = targets.into_iter().find(|t| !settings.accepts_target(t))
    {
        return Err(Error::PresentationNotAccepted {
            index,
            target,
            accepted: settings.accept_presentation_document_targets.clone(),
        });
    }
    Ok(())
}

fn check_line_item(index: usize, line_item: &LineItem) -> Result<(), Error> {
    let max = line_item.score_maximum;
    if !max.is_finite() || max <= 0.0 {
        return Err(invalid(
            index,
            "lineItem.scoreMaximum",
            &format!("expected a number greater than 0 (found {max})"),
        ));
    }
    if let Some(label) = &line_item.label
        && label.trim().is_empty()
    {
        return Err(invalid(
            index,
            "lineItem.label",
            "expected a non-blank label",
        ));
    }
    Ok(())
}

fn icons(index: usize, icon: Option<&Icon>, thumbnail: Option<&Icon>) -> Result<(), Error> {
    if let Some(icon) = icon {
        require_url(index, "icon.url", &icon.url)?;
    }
    if let Some(thumbnail) = thumbnail {
        require_url(index, "thumbnail.url", &thumbnail.url)?;
    }
    Ok(())
}

fn require_url(index: usize, field: &'static str, value: &str) -> Result<(), Error> {
    if parse_http_url(value).is_some() {
        Ok(())
    } else {
        Err(invalid(
            index,
            field,
            &format!("expected an absolute http(s) URL (found `{}`)", clip(value)),
        ))
    }
}

fn invalid(index: usize, field: &'static str, reason: &str) -> Error {
    Error::InvalidItem {
        index,
        field,
        reason: reason.to_owned(),
    }
}
