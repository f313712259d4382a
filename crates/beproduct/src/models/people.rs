//! Users (`GET Users/List`) and directory partners (`GET Directory/Companies`), the choices of
//! Users, UsersTags and PartnerDropDown fields. Keys follow the TS SDK's `UserModelSchema` and
//! `DirectoryCompanySchema`; everything else is kept in `extra`.

use serde::{Deserialize, Serialize};

use super::{nullable, Extra, FieldOption, UserRef};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(deserialize_with = "nullable::string")]
    pub id: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl User {
    /// "First Last", else the username, else the email, else the id.
    pub fn display_name(&self) -> String {
        let full = [&self.first_name, &self.last_name]
            .iter()
            .filter_map(|p| p.as_deref().map(str::trim))
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        [Some(full), self.username.clone(), self.email.clone()]
            .into_iter()
            .flatten()
            .find(|n| !n.trim().is_empty())
            .unwrap_or_else(|| self.id.clone())
    }

    /// A picker entry: the user id is stored, the name shown, the email tells namesakes apart.
    pub fn option(&self) -> FieldOption {
        FieldOption {
            value: self.id.clone(),
            label: self.display_name(),
            detail: self.email.clone().filter(|e| !e.trim().is_empty()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryCompany {
    #[serde(deserialize_with = "nullable::string")]
    pub id: String,
    /// The partner's own code in the directory (often empty, says the TS SDK's tests).
    #[serde(default)]
    pub directory_id: Option<String>,
    #[serde(default, deserialize_with = "nullable::string")]
    pub name: String,
    #[serde(default)]
    pub partner_type: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub created_by: Option<UserRef>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl DirectoryCompany {
    /// A picker entry: the company id is stored (a PartnerDropDown's `code`), the name shown,
    /// its type and country tell namesakes apart.
    pub fn option(&self) -> FieldOption {
        let detail = [&self.partner_type, &self.country]
            .iter()
            .filter_map(|p| p.as_deref().map(str::trim))
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        FieldOption {
            value: self.id.clone(),
            label: if self.name.trim().is_empty() {
                self.id.clone()
            } else {
                self.name.clone()
            },
            detail: (!detail.is_empty()).then_some(detail),
        }
    }
}
