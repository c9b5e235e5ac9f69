//! Channel names of a PipeWire node: `node.channel-names` where the node sets it, else its
//! channel positions (`audio.position`: FL, FR, … or a pro-audio profile's AUX0, AUX1, …).
//! cpal opens the node's channels but does not say what they are called; one short registry
//! round trip on a connection of our own does.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use pipewire as pw;
use pw::types::ObjectType;

/// How long the server may take to answer before the names are given up (they are a nicety).
const TIMEOUT: Duration = Duration::from_secs(2);

/// The names of `node_name`'s `channels` channels, in channel order; `None` when the server,
/// the node or names for exactly that many channels are missing.
pub fn channel_names(node_name: &str, channels: usize) -> Option<Vec<String>> {
    let props = node_props(node_name)?;
    let from = |key: &str| {
        props
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| parse_list(v))
            .filter(|names| names.len() == channels)
    };
    from("node.channel-names").or_else(|| from("audio.position"))
}

/// A SPA JSON list as PipeWire writes it ("[ AUX0 AUX1 ]", "FL,FR", `[ "Kick In" "Snare" ]`:
/// separators are commas or blanks, names with blanks are quoted) as its items.
pub fn parse_list(value: &str) -> Option<Vec<String>> {
    let inner = value.trim().trim_start_matches('[').trim_end_matches(']');
    let mut names = Vec::new();
    let mut chars = inner.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c == ',' || c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            names.push(chars.by_ref().take_while(|&c| c != '"').collect());
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c == ',' || c.is_whitespace() {
                    break;
                }
                word.push(c);
                chars.next();
            }
            names.push(word);
        }
    }
    (!names.is_empty()).then_some(names)
}

/// A node's properties as (key, value) pairs.
type Properties = Vec<(String, String)>;

/// Every property of the node called `node_name`, from its info event.
fn node_props(node_name: &str) -> Option<Vec<(String, String)>> {
    pw::init();
    let mainloop = pw::main_loop::MainLoopRc::new(None).ok()?;
    let context = pw::context::ContextRc::new(&mainloop, None).ok()?;
    let core = context.connect_rc(None).ok()?;
    let registry = core.get_registry_rc().ok()?;

    let found: Rc<RefCell<Option<Properties>>> = Rc::new(RefCell::new(None));
    // The node proxy and its listener must outlive the loop run that delivers its info.
    let bound: Rc<RefCell<Vec<(pw::node::Node, pw::node::NodeListener)>>> =
        Rc::new(RefCell::new(Vec::new()));
    let pending: Rc<RefCell<Vec<pw::spa::utils::result::AsyncSeq>>> =
        Rc::new(RefCell::new(vec![core.sync(0).ok()?]));

    let _core_listener = core
        .add_listener_local()
        .done({
            let pending = Rc::clone(&pending);
            let mainloop = mainloop.clone();
            move |id, seq| {
                if id != pw::core::PW_ID_CORE {
                    return;
                }
                let mut pending = pending.borrow_mut();
                pending.retain(|s| *s != seq);
                if pending.is_empty() {
                    mainloop.quit();
                }
            }
        })
        .register();
    let wanted = node_name.to_owned();
    let _registry_listener = registry
        .add_listener_local()
        .global({
            let registry = registry.clone();
            let core = core.clone();
            let found = Rc::clone(&found);
            let bound = Rc::clone(&bound);
            let pending = Rc::clone(&pending);
            move |global| {
                if global.type_ != ObjectType::Node
                    || global.props.and_then(|p| p.get("node.name")) != Some(wanted.as_str())
                {
                    return;
                }
                let Ok(node) = registry.bind::<pw::node::Node, _>(global) else {
                    return;
                };
                let found = Rc::clone(&found);
                let listener = node
                    .add_listener_local()
                    .info(move |info| {
                        if let Some(props) = info.props() {
                            *found.borrow_mut() = Some(
                                props
                                    .iter()
                                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                                    .collect(),
                            );
                        }
                    })
                    .register();
                bound.borrow_mut().push((node, listener));
                // One more round trip: the info arrives before its answer.
                if let Ok(seq) = core.sync(0) {
                    pending.borrow_mut().push(seq);
                }
            }
        })
        .register();
    let timer = mainloop.loop_().add_timer({
        let mainloop = mainloop.clone();
        move |_| mainloop.quit()
    });
    // A server that never answers must not hold the device open: give up after TIMEOUT.
    let _ = timer.update_timer(Some(TIMEOUT), None);
    mainloop.run();
    found.take()
}

#[cfg(test)]
mod tests {
    use super::parse_list;

    #[test]
    fn positions_and_name_lists_in_every_spelling() {
        assert_eq!(
            parse_list("[ AUX0 AUX1 AUX2 ]"),
            Some(vec!["AUX0".into(), "AUX1".into(), "AUX2".into()])
        );
        assert_eq!(parse_list("FL,FR"), Some(vec!["FL".into(), "FR".into()]));
        assert_eq!(
            parse_list(r#"[ "Kick In", "Snare Top" ]"#),
            Some(vec!["Kick In".into(), "Snare Top".into()])
        );
        assert_eq!(
            parse_list(r#"[ "Kick In" "Snare Top" ]"#),
            Some(vec!["Kick In".into(), "Snare Top".into()])
        );
        assert_eq!(parse_list("[ ]"), None);
    }
}
