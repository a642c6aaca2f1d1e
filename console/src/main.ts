import { createApp } from 'vue';
import { createPinia } from 'pinia';
import 'element-plus/dist/index.css';
import './styles/console.css';
import App from './App.vue';
import { setupApi } from './api/client';
import { setupRouter } from './router';

const pinia = createPinia();
setupApi(pinia);
const app = createApp(App);
app.use(pinia);
app.use(setupRouter(pinia));
app.mount('#app');
