//! nianbao-store: persistence of org trees and values (SQLite and PostgreSQL).
