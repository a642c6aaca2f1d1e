import { createApp } from 'vue';
import './kiosk.css';
import KioskApp from './KioskApp.vue';
import PhoneJob from './PhoneJob.vue';
import { readParams } from './link';

// `?job=<id>` is the page a phone opens from a job's QR code; without it, the terminal.
const { site, job } = readParams(location.search);
if (job) {
  document.documentElement.classList.add('phone-page');
  // Phones may zoom (the terminal's viewport forbids it).
  document
    .querySelector('meta[name="viewport"]')
    ?.setAttribute('content', 'width=device-width, initial-scale=1.0');
  createApp(PhoneJob, { jobId: job, site }).mount('#kiosk');
} else {
  createApp(KioskApp).mount('#kiosk');
}
