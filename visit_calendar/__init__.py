"""The calendar of planned visits out of the office (schools, Siaga home visits, outreach), fed by the features."""
