// Starts the GOV.UK Frontend components (error summary focus, buttons, details...).
import { initAll } from "/assets/govuk-frontend.min.js";

initAll();
