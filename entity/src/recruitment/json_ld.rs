//! Our postings as others read them: schema.org `JobPosting` JSON-LD (the partner feed and the
//! webhooks carry it).

use serde_json::{Value, json};

use super::job::{self, SalaryUnit};

/// A posting as schema.org `JobPosting` JSON-LD, with Anju's status and version.
pub fn job_posting(job: &job::Model, employer_name: &str) -> Value {
    let unit = match job.salary_unit {
        SalaryUnit::Month => "MONTH",
        SalaryUnit::Day => "DAY",
        SalaryUnit::Hour => "HOUR",
        SalaryUnit::Piece => "PIECE",
    };
    json!({
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "identifier": { "@type": "PropertyValue", "name": "anju", "value": job.id },
        "title": job.title,
        "description": job.description,
        "datePosted": job.published_at,
        "validThrough": job.valid_through,
        "hiringOrganization": {
            "@type": "Organization",
            "name": job.hiring_organization.as_deref().unwrap_or(employer_name),
        },
        "jobLocation": { "@type": "Place", "address": job.location },
        "baseSalary": {
            "@type": "MonetaryAmount",
            "currency": "CNY",
            "value": {
                "@type": "QuantitativeValue",
                "minValue": job.salary_min,
                "maxValue": job.salary_max,
                "unitText": unit,
            },
        },
        "totalJobOpenings": job.headcount,
        "skills": job.skills,
        "occupationalCategory": job.category,
        "status": job.status,
        "version": job.version,
        "updated_at": job.updated_at,
    })
}
