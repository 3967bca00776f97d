'use strict';
/**
 * The other yardstick: an empty NestJS + Handlebars page (one controller, @Render with a layout,
 * view cache on, no middleware), measured in the same run as the app. Prints `EMPTY_NEST_PORT=N`.
 */
require('reflect-metadata');
const { join } = require('node:path');
const { Controller, Get, Module, Render } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');

class PageController {
  page() {
    return { title: 'Empty' };
  }
}
const page = Object.getOwnPropertyDescriptor(PageController.prototype, 'page');
Controller()(PageController);
Get()(PageController.prototype, 'page', page);
Render('index')(PageController.prototype, 'page', page);

class EmptyModule {}
Module({ controllers: [PageController] })(EmptyModule);

(async () => {
  const app = await NestFactory.create(EmptyModule, { logger: false });
  app.setBaseViewsDir(join(__dirname, 'views'));
  app.setViewEngine('hbs');
  app.set('view options', { layout: 'layouts/main' });
  app.enable('view cache');
  await app.listen(0, '127.0.0.1');
  console.log(`EMPTY_NEST_PORT=${app.getHttpServer().address().port}`);
  process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
})();
