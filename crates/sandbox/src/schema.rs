//! Folder schemas: the field definitions every header is validated and rendered against.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::palette::PALETTE;
use crate::people::PartnerType;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub code: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FieldDef {
    pub id: String,
    pub name: String,
    /// BeProduct field type name (beproduct-api.md §9), e.g. Text, DropDown, Users, PartnerDropDown.
    pub field_type: String,
    pub required: bool,
    #[serde(default)]
    pub choices: Vec<Choice>,
    /// Schema properties besides `Choices` (`Formula`, `Unit`, `Currency`, `PartnerType`).
    #[serde(default)]
    pub properties: Map<String, Value>,
}

impl FieldDef {
    pub fn new(id: &str, name: &str, field_type: &str, required: bool) -> Self {
        FieldDef {
            id: id.into(),
            name: name.into(),
            field_type: field_type.into(),
            required,
            choices: Vec::new(),
            properties: Map::new(),
        }
    }

    pub fn with_property(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.properties.insert(key.into(), value.into());
        self
    }

    /// A PartnerDropDown over the directory's partners of one type; its choices are those
    /// partners as `{code: <directory id>, value: <name>}` (beproduct-api.md §8.2).
    pub fn partner(id: &str, name: &str, kind: PartnerType) -> Self {
        let mut def = FieldDef::new(id, name, "PartnerDropDown", false)
            .with_property("PartnerType", kind.as_str());
        def.choices = crate::people::partners_of(kind)
            .map(|p| Choice {
                id: p.id.into(),
                code: p.id.into(),
                value: p.name.into(),
            })
            .collect();
        def
    }

    /// A ColorDropDown over the demo color library (code = color number, value = name).
    pub fn color(id: &str, name: &str) -> Self {
        let mut def = FieldDef::new(id, name, "ColorDropDown", false);
        def.choices = PALETTE
            .iter()
            .map(|c| Choice {
                id: c.id.into(),
                code: c.number.into(),
                value: c.name.into(),
            })
            .collect();
        def
    }

    pub fn with_choices(mut self, values: &[(&str, &str)]) -> Self {
        self.choices = values
            .iter()
            .map(|(code, value)| Choice {
                id: uuid::Uuid::new_v4().to_string(),
                code: (*code).into(),
                value: (*value).into(),
            })
            .collect();
        self
    }

    /// Fields the server fills itself; values sent for them on create/update are ignored.
    pub fn is_read_only(&self) -> bool {
        matches!(self.field_type.as_str(), "UserLabel" | "FormulaField")
            || self.field_type.starts_with("Label")
            || self.id == "version"
    }

    pub fn is_numeric(&self) -> bool {
        matches!(
            self.field_type.as_str(),
            "Number" | "Decimal" | "Percent" | "Currency" | "Measure" | "Weight" | "FormulaField"
        )
    }

    pub fn is_yes_no(&self) -> bool {
        matches!(self.field_type.as_str(), "TrueFalse" | "InvertedTrueFalse")
    }

    /// Whether `POST Image/Headers` can filter on it (and so whether `FolderSearchSchema`
    /// lists it): structured values (a composition, a color-library object) are not compared.
    pub fn is_searchable(&self) -> bool {
        !matches!(
            self.field_type.as_str(),
            "CompositeControl" | "ColorDropDown"
        )
    }

    pub fn is_date(&self) -> bool {
        matches!(self.field_type.as_str(), "Date" | "DateTime")
    }

    /// The `GET Image/FolderSchema` shape of this field.
    pub fn to_wire(&self) -> Value {
        let mut properties = Value::Object(self.properties.clone());
        if self.field_type == "CompositeControl" {
            // CompositeControl choices are one newline-separated string (beproduct-api.md §8.2).
            let names: Vec<&str> = self.choices.iter().map(|c| c.value.as_str()).collect();
            properties["Choices"] = json!(names.join("\n"));
        } else if self.field_type == "PartnerDropDown" {
            let partners: Vec<Value> = self
                .choices
                .iter()
                .map(|c| json!({"code": c.code, "value": c.value}))
                .collect();
            properties["Choices"] = Value::Array(partners);
        } else if !self.choices.is_empty() {
            properties["Choices"] = serde_json::to_value(&self.choices).unwrap_or(Value::Null);
            properties["SortAlphabetically"] = json!(false);
        }
        if self.is_read_only() {
            properties["ReadOnly"] = json!(true);
        }
        json!({
            "fieldId": self.id,
            "fieldName": self.name,
            "fieldType": self.field_type,
            "required": self.required,
            "active": true,
            "properties": properties,
        })
    }
}

/// The system fields every Image folder has, in display order.
pub fn system_fields() -> Vec<FieldDef> {
    vec![
        FieldDef::new("header_number", "Image Number", "Text", true),
        FieldDef::new("header_name", "Image Name", "Text", true),
        FieldDef::new("version", "Version", "Text", true),
        FieldDef::new("active", "Active", "TrueFalse", false),
        FieldDef::new("created_by", "Created", "UserLabel", false),
        FieldDef::new("modified_by", "Modified", "UserLabel", false),
    ]
}

/// A folder definition used by the seeders.
pub struct FolderDef {
    pub name: &'static str,
    pub description: &'static str,
    pub active: bool,
    pub fields: Vec<FieldDef>,
}

const SEASONS: &[(&str, &str)] = &[
    ("SP", "Spring"),
    ("SU", "Summer"),
    ("FA", "Fall"),
    ("HO", "Holiday"),
];
const COLORS: &[(&str, &str)] = &[
    ("RED", "Red"),
    ("BLU", "Blue"),
    ("GRN", "Green"),
    ("YEL", "Yellow"),
    ("PNK", "Pink"),
    ("ORG", "Orange"),
    ("BLK", "Black"),
    ("WHT", "White"),
];

const FABRICS: &[(&str, &str)] = &[
    ("JER", "Cotton Jersey"),
    ("POP", "Poplin"),
    ("TWL", "Twill"),
    ("VOI", "Voile"),
    ("FLC", "Fleece"),
];
const FIBERS: &[(&str, &str)] = &[
    ("CO", "Cotton"),
    ("PES", "Polyester"),
    ("EA", "Elastane"),
    ("LI", "Linen"),
    ("CV", "Viscose"),
];

/// The demo tenant's Image folders and their schemas.
pub fn demo_folders() -> Vec<FolderDef> {
    let with_system = |extra: Vec<FieldDef>| {
        let mut fields = system_fields();
        fields.extend(extra);
        fields
    };
    vec![
        FolderDef {
            name: "Prints",
            description: "All-over and placement print artwork",
            active: true,
            fields: with_system(vec![
                FieldDef::new("description", "Description", "Memo", false),
                FieldDef::new("artwork_type", "Artwork Type", "DropDown", false).with_choices(&[
                    ("PRT", "Print"),
                    ("PAT", "Pattern"),
                    ("EMB", "Embroidery"),
                    ("GRA", "Graphic"),
                ]),
                FieldDef::new("season", "Season", "DropDown", false).with_choices(SEASONS),
                FieldDef::new("colors", "Colors", "MultiSelect", false).with_choices(COLORS),
                FieldDef::new("repeat", "Seamless Repeat", "TrueFalse", false),
                FieldDef::new("designer", "Designer", "Text", false),
                FieldDef::new("due_date", "Due Date", "Date", false),
                FieldDef::new("width_px", "Width (px)", "Number", false),
                FieldDef::new("print_scale", "Print Scale", "Decimal", false),
                // The field kinds a real tenant's folders carry (beproduct-api.md §9, §12).
                FieldDef::new("tech_designer", "Tech Designer", "Users", false),
                FieldDef::partner("factory", "Factory", PartnerType::Factory),
                FieldDef::partner("parent_vendor", "Vendor", PartnerType::Vendor),
                FieldDef::new("fabric", "Fabric", "ComboBox", false).with_choices(FABRICS),
                FieldDef::new("reviewers", "Reviewers", "UsersTags", false),
                FieldDef::new("keywords", "Keywords", "Tags", false),
                FieldDef::new("approved_at", "Approved At", "DateTime", false),
                FieldDef::new("ink_coverage", "Ink Coverage", "Percent", false),
                FieldDef::new("cost", "Cost per Meter", "Currency", false)
                    .with_property("Currency", "USD"),
                FieldDef::new("repeat_height", "Repeat Height", "Measure", false)
                    .with_property("Unit", "cm"),
                FieldDef::new(
                    "exclude_from_linesheet",
                    "Exclude from Line Sheet",
                    "InvertedTrueFalse",
                    false,
                ),
                FieldDef::new("width_cm", "Width at 300 dpi (cm)", "FormulaField", false)
                    .with_property("Formula", "[width_px] / 300 * 2.54"),
                FieldDef::color("main_color", "Main Color"),
                FieldDef::new("content", "Fabric Content", "CompositeControl", false)
                    .with_choices(FIBERS),
            ]),
        },
        FolderDef {
            name: "Graphics",
            description: "Logos, placement graphics and trims",
            active: true,
            fields: with_system(vec![
                FieldDef::new("description", "Description", "Memo", false),
                FieldDef::new("placement", "Placement", "DropDown", false).with_choices(&[
                    ("CH", "Chest"),
                    ("BK", "Back"),
                    ("SL", "Sleeve"),
                    ("AO", "All-over"),
                ]),
                FieldDef::new("season", "Season", "DropDown", false).with_choices(SEASONS),
                FieldDef::new("colors", "Colors", "MultiSelect", false).with_choices(COLORS),
                FieldDef::new("licensed", "Licensed", "TrueFalse", false),
                FieldDef::new("designer", "Designer", "Text", false),
                FieldDef::new("width_px", "Width (px)", "Number", false),
                FieldDef::new("tech_designer", "Tech Designer", "Users", false),
                FieldDef::partner("parent_vendor", "Vendor", PartnerType::Vendor),
                FieldDef::new("keywords", "Keywords", "Tags", false),
            ]),
        },
        FolderDef {
            name: "Photography",
            description: "Product and campaign photography",
            active: true,
            fields: with_system(vec![
                FieldDef::new("description", "Description", "Memo", false),
                FieldDef::new("photographer", "Photographer", "Text", false),
                FieldDef::new("shoot_date", "Shoot Date", "Date", false),
                FieldDef::new("usage", "Usage", "MultiSelect", false).with_choices(&[
                    ("WEB", "Web"),
                    ("CAT", "Catalog"),
                    ("SOC", "Social"),
                    ("ADS", "Print Ad"),
                ]),
                FieldDef::new("model_release", "Model Release", "TrueFalse", false),
                FieldDef::new("exposure", "Exposure (EV)", "Decimal", false),
                FieldDef::new("retoucher", "Retoucher", "Users", false),
                FieldDef::new("shot_at", "Shot At", "DateTime", false),
            ]),
        },
        FolderDef {
            name: "Archive",
            description: "Retired images kept for reference",
            active: false,
            fields: with_system(vec![
                FieldDef::new("description", "Description", "Memo", false),
                FieldDef::new("season", "Season", "DropDown", false).with_choices(SEASONS),
            ]),
        },
    ]
}
