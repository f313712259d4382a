//! Shared state of a running sandbox.

use std::sync::Arc;

use crate::config::SandboxConfig;
use crate::faults::Ops;
use crate::header::RenderCtx;
use crate::processing::Processor;
use crate::signing::MediaSigner;
use crate::sources::Sources;
use crate::store::Store;
use crate::throttle::Link;
use crate::upload::UploadLimits;

pub struct AppState {
    pub config: SandboxConfig,
    /// `http://127.0.0.1:PORT`, used to build media URLs.
    pub base_url: String,
    pub store: Store,
    pub processor: Processor,
    pub ops: Ops,
    /// The simulated uplink every request body crosses.
    pub uplink: Arc<Link>,
    pub signer: MediaSigner,
    pub limits: UploadLimits,
    pub sources: Sources,
}

impl AppState {
    pub fn render_ctx(&self) -> RenderCtx<'_> {
        RenderCtx {
            base_url: &self.base_url,
            company: &self.config.company,
            signer: &self.signer,
        }
    }
}
