//! What a one-shot command prints: its result on standard output, what happened on standard
//! error.

use std::io::Write;

use c1_connector_sdk::model::Resource;

use crate::exit::{Failure, Outcome};

/// Where a command writes: its result on `out`, what happened on `err`.
pub(crate) struct Io<'a> {
    out: &'a mut (dyn Write + Send),
    err: &'a mut (dyn Write + Send),
}

impl<'a> Io<'a> {
    pub(crate) fn new(out: &'a mut (dyn Write + Send), err: &'a mut (dyn Write + Send)) -> Self {
        Io { out, err }
    }

    /// Writes the result; a reader that went away (`| head -1`) ends the command quietly.
    pub(super) fn out(&mut self, text: &str) -> Result<(), Outcome> {
        match self
            .out
            .write_all(text.as_bytes())
            .and_then(|()| self.out.flush())
        {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Outcome::BrokenPipe),
            Err(e) => {
                Err(Failure::failed(format!("could not write to standard output: {e}")).into())
            }
        }
    }

    /// Writes one line of JSON on the result stream.
    pub(super) fn out_json(
        &mut self,
        value: &serde_json::Value,
        pretty: bool,
    ) -> Result<(), Outcome> {
        let rendered = if pretty {
            serde_json::to_string_pretty(value)
        } else {
            serde_json::to_string(value)
        };
        let mut text =
            rendered.map_err(|e| Failure::failed(format!("could not render JSON: {e}")))?;
        text.push('\n');
        self.out(&text)
    }

    /// Tells the user what happened (a closed standard error is not worth failing for).
    pub(super) fn note(&mut self, line: &str) {
        let _ = writeln!(self.err, "{line}");
    }
}

/// `user 'U1'`, or `user 'U1' ("Ann Lee")` when the display name says more.
pub(super) fn describe(resource: &Resource) -> String {
    let (resource_type, id) = resource.id.as_ref().map_or(("?", "?"), |i| {
        (i.resource_type.as_str(), i.resource.as_str())
    });
    let mut text = format!("{resource_type} '{id}'");
    if !resource.display_name.is_empty() && resource.display_name != id {
        text.push_str(&format!(" (\"{}\")", resource.display_name));
    }
    text
}
