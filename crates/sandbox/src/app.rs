//! Shared state of a running sandbox.

use crate::config::SandboxConfig;
use crate::faults::Ops;
use crate::header::RenderCtx;
use crate::processing::Processor;
use crate::store::Store;

pub struct AppState {
    pub config: SandboxConfig,
    /// `http://127.0.0.1:PORT`, used to build media URLs.
    pub base_url: String,
    pub store: Store,
    pub processor: Processor,
    pub ops: Ops,
}

impl AppState {
    pub fn render_ctx(&self) -> RenderCtx<'_> {
        RenderCtx {
            base_url: &self.base_url,
            company: &self.config.company,
        }
    }
}
