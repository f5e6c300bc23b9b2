export { default } from 'core-service/testing/global-setup';
