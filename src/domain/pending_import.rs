//! Imports read but not yet made: where a stored dry run stands.

crate::text_enum!(
    /// Where a stored dry run stands.
    PendingImportStatus {
        /// Waiting for the secretariat.
        Pending => "pending",
        /// Confirmed: the import was made (`result`).
        Confirmed => "confirmed",
        /// Dismissed: nothing was imported.
        Dismissed => "dismissed",
    }
);
