//! Residents as the registry knows them: the value types that carry their rules (phone numbers,
//! ID card numbers, employers' credit codes) and the parsing of the spreadsheet a site is
//! onboarded from.

pub mod credit_code;
pub mod id_card;
pub mod phone;
pub mod sheet_import;
pub mod synthetic;

pub use credit_code::{CreditCode, CreditCodeError, make_credit_code};
pub use id_card::{IdCardError, IdCardNumber, make_id_card};
pub use phone::{Phone, PhoneError};
pub use sheet_import::{ImportErrors, ImportFile, ImportRow, RowError, parse_import, parse_sheet};

string_enum!(
    /// A resident's gender, as recorded on the ID card.
    Gender {
        /// 男.
        Male => "male",
        /// 女.
        Female => "female",
    }
);

string_enum!(
    /// How a resident is related to the head of their household (与户主关系).
    Relation {
        /// 户主, the person the household is registered under.
        Head => "head",
        /// 配偶.
        Spouse => "spouse",
        /// 子女.
        Child => "child",
        /// 父母.
        Parent => "parent",
        /// 其他: grandchildren, in-laws, siblings and anyone else.
        Other => "other",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gender_and_relation_serialize_in_snake_case() {
        assert_eq!(
            serde_json::to_string(&Gender::Female).unwrap(),
            "\"female\""
        );
        assert_eq!(serde_json::to_string(&Relation::Head).unwrap(), "\"head\"");
        let relation: Relation = serde_json::from_str("\"spouse\"").unwrap();
        assert_eq!(relation, Relation::Spouse);
    }
}
