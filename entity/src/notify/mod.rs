//! Delivery channels of notifications: devices, preferences (with quiet hours) and the delivery
//! queue.

pub mod delivery;
pub mod device;
pub mod preference;
