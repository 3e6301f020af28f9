export { ATTRIBUTES, DELIVERY_SPAN, enableTracing, HANDLER_SPAN, type EnableTracingOptions } from './enable-tracing';
