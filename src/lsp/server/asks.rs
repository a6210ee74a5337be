//! What the server asks of the client: progress during the first analysis, the `rulesctl`
//! settings (and their answer), and file watchers.

use std::io::Write;

use lsp_server::{Message, Notification, Request, RequestId, Response};
use lsp_types::{
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern, OneOf, Registration, RegistrationParams,
};

use super::{log, Server, CONFIGURATION};
use crate::lsp::convert::uri_of;

impl<W: Write> Server<W> {
    /// Creates a progress token with the client and reports the start of the first analysis.
    /// The notification follows the request without waiting for its answer, as rust-analyzer
    /// does: the client reads them in order, so the token exists when the progress arrives.
    pub(super) fn begin_progress(&mut self) -> String {
        let token = self.next_id("rulesctl-progress");
        let create =
            lsp_types::WorkDoneProgressCreateParams { token: lsp_types::NumberOrString::String(token.clone()) };
        self.send(&Message::Request(Request::new(
            RequestId::from(token.clone()),
            "window/workDoneProgress/create".into(),
            create,
        )));
        let begin = lsp_types::WorkDoneProgress::Begin(lsp_types::WorkDoneProgressBegin {
            title: "rulesctl".into(),
            message: Some("analysing the workspace".into()),
            cancellable: Some(false),
            percentage: None,
        });
        self.progress_notification(&token, begin);
        token
    }

    pub(super) fn end_progress(&mut self, token: String) {
        let files: usize = self.state.roots.values().filter_map(|r| r.analysis()).map(|a| a.sources.len()).sum();
        let end = lsp_types::WorkDoneProgress::End(lsp_types::WorkDoneProgressEnd {
            message: Some(format!("analysed {files} files")),
        });
        self.progress_notification(&token, end);
    }

    pub(super) fn progress_notification(&mut self, token: &str, value: lsp_types::WorkDoneProgress) {
        let params = lsp_types::ProgressParams {
            token: lsp_types::NumberOrString::String(token.to_string()),
            value: lsp_types::ProgressParamsValue::WorkDone(value),
        };
        self.send(&Message::Notification(Notification::new("$/progress".into(), params)));
    }

    pub(super) fn next_id(&mut self, what: &str) -> String {
        self.asked += 1;
        format!("{what}-{}", self.asked)
    }

    /// An answer to a request the server made: the settings, when it is theirs.
    pub(super) fn answered(&mut self, response: Response) {
        let is_configuration = matches!(&response.id.to_string(), id if id.contains(CONFIGURATION));
        if !is_configuration {
            return;
        }
        match response.response_result {
            Ok(result) => self.settings_changed(&result.get(0).cloned().unwrap_or_default()),
            Err(error) => log(&format!("the client did not give the settings: {}", error.message)),
        }
    }

    pub(super) fn settings_changed(&mut self, section: &serde_json::Value) {
        let settings = self.state.settings.read(section);
        if settings != self.state.settings {
            self.state.settings = settings;
            for notification in self.state.republish() {
                self.send(&Message::Notification(notification));
            }
        }
    }

    /// Asks the client for the `rulesctl` settings, when it answers such requests.
    pub(super) fn ask_configuration(&mut self) {
        if !self.configuration {
            return;
        }
        let id = self.next_id(CONFIGURATION);
        let params = lsp_types::ConfigurationParams {
            items: vec![lsp_types::ConfigurationItem { scope_uri: None, section: Some("rulesctl".into()) }],
        };
        self.send(&Message::Request(Request::new(RequestId::from(id), "workspace/configuration".into(), params)));
    }

    /// Asks the client to report changes to the files an analysis reads, when it can.
    pub(super) fn register_watchers(&mut self) {
        if !self.dynamic_watchers {
            return;
        }
        const GLOBS: [&str; 4] = ["**/*.hcl", "**/*.yaml", "**/*.yml", "**/*.json"];
        // Relative to each workspace folder, spelt out: Neovim matches a bare string pattern
        // against the whole path, where `**/*.hcl` finds nothing.
        let bases: Vec<lsp_types::Uri> = self.folders.iter().filter_map(|f| uri_of(f)).collect();
        let watchers = if bases.is_empty() {
            GLOBS.iter().map(|glob| GlobPattern::String((*glob).into())).collect::<Vec<_>>()
        } else {
            bases
                .iter()
                .flat_map(|base| {
                    GLOBS.iter().map(|glob| {
                        GlobPattern::Relative(lsp_types::RelativePattern {
                            base_uri: OneOf::Right(base.clone()),
                            pattern: (*glob).into(),
                        })
                    })
                })
                .collect()
        };
        let watchers =
            watchers.into_iter().map(|glob_pattern| FileSystemWatcher { glob_pattern, kind: None }).collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "rulesctl-watched-files".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        let request =
            Request::new(RequestId::from("rulesctl-register".to_string()), "client/registerCapability".into(), params);
        self.send(&Message::Request(request));
    }
}
