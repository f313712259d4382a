//! The demo tenant's people: its users (`GET Users/List`, the choices of Users and UsersTags
//! fields) and its partner directory (`GET Directory/Companies`, the choices of
//! PartnerDropDown fields). Fixed data: the sandbox has no endpoints that change them, and fixed
//! ids let tests and saved app state refer to the same people across restarts.

use serde_json::{json, Value};

use crate::header::{USER_ID, USER_NAME};
use PartnerType::{Agent, Factory, Vendor};

pub struct DemoUser {
    pub id: &'static str,
    pub username: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub title: &'static str,
    pub role: &'static str,
    pub active: bool,
}

impl DemoUser {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    pub fn email(&self) -> String {
        format!("{}@example.com", self.username)
    }

    /// The `Users/List` item, after the TS SDK's `UserModelSchema`.
    pub fn to_wire(&self) -> Value {
        json!({
            "id": self.id,
            "email": self.email(),
            "username": self.username,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "title": self.title,
            "role": self.role,
            "active": self.active,
        })
    }
}

const fn user(
    id: &'static str,
    username: &'static str,
    first_name: &'static str,
    last_name: &'static str,
    title: &'static str,
    role: &'static str,
    active: bool,
) -> DemoUser {
    DemoUser {
        id,
        username,
        first_name,
        last_name,
        title,
        role,
        active,
    }
}

/// The tenant's users; the first is the one every API call runs as.
pub const USERS: &[DemoUser] = &[
    user(
        USER_ID, USER_NAME, "Sandbox", "User", "API user", "Admin", true,
    ),
    user(
        "6914a2ca-9908-4941-bef7-10be6027ece7",
        "avery.chen",
        "Avery",
        "Chen",
        "Senior Designer",
        "Designer",
        true,
    ),
    user(
        "a3285f15-f752-4959-831d-6402b51cacde",
        "jordan.blake",
        "Jordan",
        "Blake",
        "Technical Designer",
        "Designer",
        true,
    ),
    user(
        "94091f55-4097-4a00-ad25-f44fbc0a343d",
        "sam.ortiz",
        "Sam",
        "Ortiz",
        "Product Developer",
        "Developer",
        true,
    ),
    user(
        "b9ea7db9-fcb0-476b-8bff-232dd183f6fe",
        "riley.kim",
        "Riley",
        "Kim",
        "Print Designer",
        "Designer",
        true,
    ),
    user(
        "d11a7573-5a64-4aac-9aa7-e78b17ff8cff",
        "morgan.lee",
        "Morgan",
        "Lee",
        "Technical Designer",
        "Designer",
        true,
    ),
    user(
        "87b70a4f-1b0d-4ce8-a84e-48815b3bea7a",
        "priya.nair",
        "Priya",
        "Nair",
        "Merchandiser",
        "Merchandiser",
        true,
    ),
    user(
        "0cf7cb41-4cc8-4419-bf54-e0c7ff4e2b1a",
        "tomasz.nowak",
        "Tomasz",
        "Nowak",
        "Retoucher",
        "Designer",
        true,
    ),
    user(
        "ba14e3da-a1eb-4f21-9e92-1db97753b9c9",
        "casey.former",
        "Casey",
        "Former",
        "Designer (left)",
        "Designer",
        false,
    ),
];

/// A user by id, username, email or display name (case-insensitive).
pub fn find_user(wanted: &str) -> Option<&'static DemoUser> {
    let w = wanted.trim();
    USERS.iter().find(|u| {
        u.id.eq_ignore_ascii_case(w)
            || u.username.eq_ignore_ascii_case(w)
            || u.email().eq_ignore_ascii_case(w)
            || u.display_name().eq_ignore_ascii_case(w)
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerType {
    Factory,
    Vendor,
    Agent,
}

impl PartnerType {
    pub fn as_str(self) -> &'static str {
        match self {
            PartnerType::Factory => "Factory",
            PartnerType::Vendor => "Vendor",
            PartnerType::Agent => "Agent",
        }
    }
}

pub struct Partner {
    pub id: &'static str,
    /// The partner's own code in the directory.
    pub directory_id: &'static str,
    pub name: &'static str,
    pub partner_type: PartnerType,
    pub country: &'static str,
    pub city: &'static str,
}

impl Partner {
    /// The `Directory/Companies` item, after the TS SDK's `DirectoryCompanySchema`.
    pub fn to_wire(&self) -> Value {
        json!({
            "id": self.id,
            "directoryId": self.directory_id,
            "name": self.name,
            "partnerType": self.partner_type.as_str(),
            "country": self.country,
            "city": self.city,
            "active": true,
            "createdBy": {"id": USER_ID, "name": USER_NAME},
        })
    }

    /// A PartnerDropDown value: `{value, code, text}` (TS SDK), `code` = directory id.
    pub fn field_value(&self) -> Value {
        json!({"value": self.name, "code": self.id, "text": self.name})
    }
}

const fn partner(
    id: &'static str,
    directory_id: &'static str,
    name: &'static str,
    partner_type: PartnerType,
    country: &'static str,
    city: &'static str,
) -> Partner {
    Partner {
        id,
        directory_id,
        name,
        partner_type,
        country,
        city,
    }
}

/// 22 partners: with the SDK's default page size of 20 a full listing takes two pages and
/// stops on the third, empty one.
pub const PARTNERS: &[Partner] = &[
    partner(
        "e6810ba1-0762-4719-b6fc-8ded1d25f219",
        "F-001",
        "Shenzhen Bright Textiles",
        Factory,
        "China",
        "Shenzhen",
    ),
    partner(
        "ec30c502-d297-47f9-acf0-b36c2c87c168",
        "F-002",
        "Dhaka Knit Works",
        Factory,
        "Bangladesh",
        "Dhaka",
    ),
    partner(
        "cf68f08e-fbfc-45d8-9ee6-fa9b89e3b15d",
        "F-003",
        "Porto Malhas",
        Factory,
        "Portugal",
        "Porto",
    ),
    partner(
        "c4f93ad2-1569-46c7-a3ea-73562c77dbbf",
        "F-004",
        "Izmir Denim Mills",
        Factory,
        "Turkey",
        "Izmir",
    ),
    partner(
        "a4facf17-2ab3-4eae-9d7f-fe557538906f",
        "F-005",
        "Hanoi Garment Co.",
        Factory,
        "Vietnam",
        "Hanoi",
    ),
    partner(
        "56c7f175-39b9-4154-a6f6-00066cfb105e",
        "F-006",
        "Tiruppur Cotton Exports",
        Factory,
        "India",
        "Tiruppur",
    ),
    partner(
        "4a7f9585-1778-44a2-afd1-efa1599c8e1c",
        "F-007",
        "Guadalajara Confecciones",
        Factory,
        "Mexico",
        "Guadalajara",
    ),
    partner(
        "8f3834b4-2917-44ec-841e-ab59c07e93b8",
        "F-008",
        "Saigon Print House",
        Factory,
        "Vietnam",
        "Ho Chi Minh City",
    ),
    partner(
        "f7bdf2b9-b9ef-4300-9f32-9bdf7ac9a55d",
        "F-009",
        "Sialkot Sportswear",
        Factory,
        "Pakistan",
        "Sialkot",
    ),
    partner(
        "a0e4675b-a7e7-4920-adfb-ff10c72aa39e",
        "F-010",
        "Prato Tessuti",
        Factory,
        "Italy",
        "Prato",
    ),
    partner(
        "e0941e64-9357-416c-be09-ba8e5606b382",
        "F-011",
        "Jakarta Apparel Works",
        Factory,
        "Indonesia",
        "Jakarta",
    ),
    partner(
        "5e557f64-f07e-4277-999d-532a5a8d07ef",
        "F-012",
        "Colombo Lace",
        Factory,
        "Sri Lanka",
        "Colombo",
    ),
    partner(
        "02262b2c-544f-46f7-a20b-84661d854b5b",
        "V-001",
        "Northwind Sourcing",
        Vendor,
        "United States",
        "New York",
    ),
    partner(
        "0bcd3bb2-2dca-4411-8245-e380c38cf2e5",
        "V-002",
        "Blue Harbor Trading",
        Vendor,
        "Hong Kong",
        "Hong Kong",
    ),
    partner(
        "9a106d96-e709-4dea-a2d7-d14d6633862c",
        "V-003",
        "Atlas Apparel Group",
        Vendor,
        "United States",
        "Los Angeles",
    ),
    partner(
        "33a86cc3-c88c-43b0-8110-17a0e5160392",
        "V-004",
        "Meridian Textiles",
        Vendor,
        "United Kingdom",
        "Manchester",
    ),
    partner(
        "4d321d4e-0991-42eb-9e19-e678b7bee421",
        "V-005",
        "Kestrel Supply Co.",
        Vendor,
        "Canada",
        "Toronto",
    ),
    partner(
        "48dfaadc-e0c2-4d51-8c16-d34de0cb647e",
        "V-006",
        "Lumen Trims",
        Vendor,
        "Italy",
        "Milan",
    ),
    partner(
        "123e3f92-38d6-4090-a58b-7ebe5a5eaf1d",
        "V-007",
        "Pacific Rim Sourcing",
        Vendor,
        "Singapore",
        "Singapore",
    ),
    partner(
        "9263f71a-1257-4e9b-8c5f-709eef0620bb",
        "A-001",
        "Orbit Buying Agency",
        Agent,
        "Hong Kong",
        "Kowloon",
    ),
    partner(
        "53919175-1e3a-4b87-b0dc-d821f6c4004b",
        "A-002",
        "Bosphorus Agents",
        Agent,
        "Turkey",
        "Istanbul",
    ),
    partner(
        "c8051725-2bed-44c6-89e6-03cf5b6facb4",
        "A-003",
        "Mekong Partners",
        Agent,
        "Vietnam",
        "Da Nang",
    ),
];

pub fn partners_of(kind: PartnerType) -> impl Iterator<Item = &'static Partner> {
    PARTNERS.iter().filter(move |p| p.partner_type == kind)
}

/// A partner by id, directory code or name (case-insensitive).
pub fn find_partner(wanted: &str) -> Option<&'static Partner> {
    let w = wanted.trim();
    PARTNERS.iter().find(|p| {
        p.id.eq_ignore_ascii_case(w)
            || p.directory_id.eq_ignore_ascii_case(w)
            || p.name.eq_ignore_ascii_case(w)
    })
}
