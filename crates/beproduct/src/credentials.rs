//! A BeProduct account's credentials: the one shape the desktop app (Connect dialog, keychain)
//! and `bp-upload` (environment) share. Secrets live in `Secret`, so `Debug` never shows them;
//! the JSON form exists only through `to_json` (for the keychain), never by `Serialize`, so
//! credentials cannot be sent anywhere by mistake.

use serde::{Deserialize, Serialize};

use crate::{Config, Secret};

#[derive(Clone, Debug, Deserialize)]
#[serde(from = "CredentialsWire")]
pub struct Credentials {
    pub company_domain: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub refresh_token: Secret,
    /// `None`: the default (`DEFAULT_API_URL`).
    pub api_url: Option<String>,
    /// `None`: the default (`DEFAULT_TOKEN_URL`).
    pub token_url: Option<String>,
}

/// The JSON form (camelCase; blank URLs mean the default), as the app's Connect dialog sends it
/// and the keychain keeps it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CredentialsWire {
    company_domain: String,
    client_id: String,
    client_secret: String,
    refresh_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    api_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token_url: Option<String>,
}

impl From<CredentialsWire> for Credentials {
    fn from(w: CredentialsWire) -> Self {
        Credentials {
            company_domain: w.company_domain.trim().to_owned(),
            client_id: w.client_id.trim().to_owned(),
            client_secret: Secret::new(w.client_secret.trim()),
            refresh_token: Secret::new(w.refresh_token.trim()),
            api_url: non_blank(w.api_url),
            token_url: non_blank(w.token_url),
        }
    }
}

fn non_blank(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl Credentials {
    /// The client configuration; defaults apply where no URL is given.
    pub fn to_config(&self) -> Config {
        let mut config = Config::new(
            self.company_domain.clone(),
            self.client_id.clone(),
            self.client_secret.clone(),
            self.refresh_token.clone(),
        );
        if let Some(url) = &self.api_url {
            config = config.with_api_url(url.clone());
        }
        if let Some(url) = &self.token_url {
            config = config.with_token_url(url.clone());
        }
        config
    }

    /// The API root these credentials talk to.
    pub fn effective_api_url(&self) -> String {
        self.to_config().api_url
    }

    /// Whether both name the same account with the same secrets.
    pub fn same_as(&self, other: &Credentials) -> bool {
        self.company_domain == other.company_domain
            && self.client_id == other.client_id
            && self.client_secret.expose() == other.client_secret.expose()
            && self.refresh_token.expose() == other.refresh_token.expose()
            && self.api_url == other.api_url
            && self.token_url == other.token_url
    }

    /// The JSON form, secrets included: only for a store that keeps secrets (the OS keychain).
    pub fn to_json(&self) -> String {
        let wire = CredentialsWire {
            company_domain: self.company_domain.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.expose().to_owned(),
            refresh_token: self.refresh_token.expose().to_owned(),
            api_url: self.api_url.clone(),
            token_url: self.token_url.clone(),
        };
        serde_json::to_string(&wire).expect("serialising plain strings cannot fail")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_trims_and_blank_urls_mean_default() {
        let creds: Credentials = serde_json::from_value(serde_json::json!({
            "companyDomain": " Acme ", "clientId": "id", "clientSecret": "s3cr3t-value",
            "refreshToken": "rt-value-123", "apiUrl": " ", "tokenUrl": "http://127.0.0.1:9/t"
        }))
        .unwrap();
        assert_eq!(creds.company_domain, "Acme");
        assert_eq!(creds.api_url, None);
        assert_eq!(creds.effective_api_url(), crate::DEFAULT_API_URL);
        let debug = format!("{creds:?}");
        assert!(
            !debug.contains("s3cr3t-value") && !debug.contains("rt-value-123"),
            "{debug}"
        );
        let again: Credentials = serde_json::from_str(&creds.to_json()).unwrap();
        assert!(again.same_as(&creds));
        assert_eq!(again.to_config().token_url, "http://127.0.0.1:9/t");
    }
}
